/* kefu 客服工作台 — the little glue the pages need on top of htmx. */
(function () {
  "use strict";

  // htmx sends forms url-encoded; our JSON API takes JSON. `hx-ext="kefu-json"` encodes the
  // element's parameters as a JSON object (the same body a script or integration would send).
  htmx.defineExtension("kefu-json", {
    onEvent: function (name, evt) {
      if (name === "htmx:configRequest") {
        evt.detail.headers["Content-Type"] = "application/json";
      }
    },
    encodeParameters: function (xhr, parameters) {
      xhr.overrideMimeType("text/json");
      var body = {};
      parameters.forEach(function (value, key) { body[key] = value; });
      return JSON.stringify(body);
    },
  });

  // Status switch: the API answers with the agent's new status; mark that button pressed.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt.closest || !elt.closest(".status-switch") || !evt.detail.successful) return;
    var status;
    try { status = JSON.parse(evt.detail.xhr.responseText).status; } catch (e) { return; }
    elt.closest(".status-switch").querySelectorAll("button").forEach(function (btn) {
      btn.setAttribute("aria-pressed", btn.dataset.status === status ? "true" : "false");
    });
  });

  // Keep the opened conversation highlighted, also after the list refreshes itself.
  var activeId = null;
  document.addEventListener("click", function (evt) {
    var item = evt.target.closest && evt.target.closest(".conv-item");
    if (item) activeId = item.dataset.conversationId;
  });
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll(".conv-item").forEach(function (item) {
      item.classList.toggle("active", item.dataset.conversationId === activeId);
    });
    var messages = document.querySelector(".messages");
    if (messages && !messages.dataset.scrolled) {
      messages.scrollTop = messages.scrollHeight;
      messages.dataset.scrolled = "1";
    }
  });

  // Demo logins: clicking one fills the form.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("[data-demo-username]");
    if (!btn) return;
    var form = document.querySelector("form.login-form");
    form.querySelector("[name=username]").value = btn.dataset.demoUsername;
    form.querySelector("[name=password]").value = btn.dataset.demoPassword;
  });
})();
