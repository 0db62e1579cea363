/* kefu 质检 pre-send guard.
 *
 * Attaches to every <textarea data-qa-guard> (also those htmx brings in later). As the agent
 * types, the draft is checked by POST /api/v1/qa/check (debounced 150 ms); the rule, the
 * evidence and a suggested rewording show under the box. A blocking finding (customer data
 * leak, off-platform contact) disables sending until a supervisor allows that exact text
 * (POST /api/v1/qa/allow, written to the audit log).
 *
 * Send controls: the selector in data-qa-guard="#send-btn" if given, else the submit buttons
 * of the textarea's form. A blocked draft also stops the form's submit and Enter-to-send.
 * When allowed, the token is kept in textarea.dataset.qaAllowToken (and a hidden
 * `qa_allow_token` input of the form) and a `qa:allowed` event is fired on the textarea.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var CHECK_URL = "/api/v1/qa/check";
  var ALLOW_URL = "/api/v1/qa/allow";

  var CSS =
    ".qa-guard{margin-top:4px;font-size:12px;line-height:1.5}" +
    ".qa-guard:empty{display:none}" +
    ".qa-guard-item{padding:4px 8px;border-radius:4px;background:#fff7e6;border:1px solid #f5d9a8;margin-top:4px}" +
    ".qa-guard-item.blocking{background:#fdecea;border-color:#f6c6c2}" +
    ".qa-guard-rule{font-weight:600;margin-right:6px}" +
    ".qa-guard-item.blocking .qa-guard-rule{color:#d93026}" +
    ".qa-guard-evidence{font-family:monospace;background:#fff;padding:0 3px;border-radius:3px}" +
    ".qa-guard-suggestion{display:block;color:#555}" +
    ".qa-guard-block{margin-top:4px;color:#d93026;font-weight:600}" +
    ".qa-guard-allowed{margin-top:4px;color:#1f9d55;font-weight:600}" +
    ".qa-guard-allow{display:flex;gap:4px;flex-wrap:wrap;margin-top:4px;align-items:center}" +
    ".qa-guard-allow input{padding:2px 6px;border:1px solid #e3e6eb;border-radius:4px;width:8em}" +
    "textarea[data-qa-blocked='1']{border-color:#d93026;outline-color:#d93026}";

  function injectStyle() {
    if (document.getElementById("qa-guard-style")) return;
    var style = document.createElement("style");
    style.id = "qa-guard-style";
    style.textContent = CSS;
    document.head.appendChild(style);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Requested-With": "kefu-guard" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          var err = new Error((data && data.detail) || response.statusText);
          err.status = response.status;
          throw err;
        }
        return data;
      });
    });
  }

  function Guard(textarea) {
    this.box = textarea;
    this.form = textarea.form || textarea.closest("form");
    this.seq = 0;
    this.timer = null;
    this.checkedText = null; // the text the panel describes
    this.blocked = false;
    this.pending = null; // a promise while a check is in flight
    this.result = null;
    this.panel = el("div", "qa-guard");
    this.panel.setAttribute("role", "status");
    this.panel.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", this.panel);
    var self = this;
    textarea.addEventListener("input", function () { self.schedule(); });
    if (textarea.value) this.schedule();
  }

  Guard.prototype.sendControls = function () {
    var selector = this.box.getAttribute("data-qa-guard");
    if (selector) {
      try { return Array.prototype.slice.call(document.querySelectorAll(selector)); } catch (e) { /* not a selector */ }
    }
    if (!this.form) return [];
    return Array.prototype.slice.call(
      this.form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit], [data-qa-send]")
    );
  };

  Guard.prototype.allowed = function () {
    return this.box.dataset.qaAllowToken && this.box.dataset.qaAllowedText === this.box.value;
  };

  Guard.prototype.setBlocked = function (blocked) {
    this.blocked = blocked && !this.allowed();
    this.box.dataset.qaBlocked = this.blocked ? "1" : "0";
    this.box.setAttribute("aria-invalid", this.blocked ? "true" : "false");
    var self = this;
    this.sendControls().forEach(function (control) {
      if (self.blocked) {
        if (!control.disabled) control.dataset.qaDisabled = "1";
        control.disabled = true;
      } else if (control.dataset.qaDisabled) {
        delete control.dataset.qaDisabled;
        control.disabled = false;
      }
    });
  };

  Guard.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.timer);
    if (this.box.dataset.qaAllowedText !== this.box.value) {
      delete this.box.dataset.qaAllowToken;
      delete this.box.dataset.qaAllowedText;
      this.setHiddenToken("");
    }
    this.timer = setTimeout(function () { self.check(); }, DEBOUNCE_MS);
  };

  // Whether what is in the box has been checked (nothing typed since the last answer).
  Guard.prototype.current = function () {
    return this.checkedText === this.box.value && this.pending === null;
  };

  Guard.prototype.check = function () {
    clearTimeout(this.timer);
    var text = this.box.value;
    var seq = ++this.seq;
    var self = this;
    if (!text.trim()) {
      this.checkedText = text;
      this.pending = null;
      this.result = null;
      this.render(null);
      this.setBlocked(false);
      return Promise.resolve(null);
    }
    var request = post(CHECK_URL, { text: text }).then(
      function (data) {
        if (seq !== self.seq) return data; // a newer draft is being checked
        self.pending = null;
        self.checkedText = text;
        self.result = data;
        self.render(data);
        self.setBlocked(data.blocking);
        return data;
      },
      function () {
        // The guard must not stop an agent when the server is unreachable: the send
        // itself will fail or be checked there.
        if (seq === self.seq) {
          self.pending = null;
          self.checkedText = text;
        }
        return null;
      }
    );
    this.pending = request;
    return request;
  };

  Guard.prototype.render = function (data) {
    var panel = this.panel;
    panel.textContent = "";
    if (!data || !data.findings.length) return;
    var ui = data.ui || {};
    data.findings.forEach(function (f) {
      var item = el("div", "qa-guard-item" + (f.blocking ? " blocking" : ""));
      item.dataset.rule = f.rule;
      item.appendChild(el("span", "qa-guard-rule", f.label));
      if (f.evidence) item.appendChild(el("span", "qa-guard-evidence", f.evidence));
      item.appendChild(el("span", "qa-guard-suggestion", (ui.suggestion || "建议") + "：" + f.suggestion));
      panel.appendChild(item);
    });
    if (!data.blocking) return;
    if (this.allowed()) {
      panel.appendChild(el("div", "qa-guard-allowed", ui.allowed));
      return;
    }
    panel.appendChild(el("div", "qa-guard-block", ui.blocked));
    this.renderAllow(data);
  };

  Guard.prototype.renderAllow = function (data) {
    var ui = data.ui || {};
    var self = this;
    var row = el("div", "qa-guard-allow");
    var user = null;
    var pass = null;
    if (!data.can_allow) {
      user = el("input");
      user.placeholder = ui.supervisor;
      user.setAttribute("aria-label", ui.supervisor);
      user.autocomplete = "off";
      pass = el("input");
      pass.type = "password";
      pass.placeholder = ui.password;
      pass.setAttribute("aria-label", ui.password);
      pass.autocomplete = "off";
      row.appendChild(user);
      row.appendChild(pass);
    }
    var button = el("button", "qa-guard-allow-btn", ui.allow);
    button.type = "button";
    var message = el("span", "qa-guard-allow-error");
    button.addEventListener("click", function () {
      var text = self.box.value;
      var body = { text: text };
      if (user) {
        body.supervisor_username = user.value;
        body.supervisor_password = pass.value;
      }
      button.disabled = true;
      post(ALLOW_URL, body).then(
        function (answer) {
          if (self.box.value !== text) return;
          self.box.dataset.qaAllowToken = answer.token;
          self.box.dataset.qaAllowedText = text;
          self.setHiddenToken(answer.token);
          self.setBlocked(false);
          self.render(self.result);
          self.box.dispatchEvent(new CustomEvent("qa:allowed", { bubbles: true, detail: { token: answer.token, text: text } }));
        },
        function (err) {
          button.disabled = false;
          message.textContent = err.message;
        }
      );
    });
    row.appendChild(button);
    row.appendChild(message);
    this.panel.appendChild(row);
  };

  Guard.prototype.setHiddenToken = function (token) {
    if (!this.form) return;
    var input = this.form.querySelector("input[name=qa_allow_token]");
    if (!input && token) {
      input = el("input");
      input.type = "hidden";
      input.name = "qa_allow_token";
      this.form.appendChild(input);
    }
    if (input) input.value = token;
  };

  // Before a send: true when it may go out now. A draft typed faster than the debounce
  // is checked first; if it passes, `resend` repeats the agent's action.
  Guard.prototype.gate = function (resend) {
    var self = this;
    if (this.current()) {
      if (this.blocked) return false;
      // The page usually empties the box after sending (without an input event): refresh.
      setTimeout(function () { if (self.box.value !== self.checkedText) self.schedule(); }, 0);
      return true;
    }
    this.check().then(function () {
      if (!self.blocked && self.current()) resend();
    });
    return false;
  };

  function guardOf(node) {
    return node && node.__qaGuard ? node.__qaGuard : null;
  }

  var replaying = false;

  document.addEventListener(
    "submit",
    function (evt) {
      if (replaying) return;
      var form = evt.target;
      var box = form.querySelector && form.querySelector("textarea[data-qa-guard]");
      var guard = guardOf(box);
      if (!guard) return;
      var submitter = evt.submitter || null;
      if (!guard.gate(function () {
        replaying = true;
        try { form.requestSubmit(submitter); } finally { replaying = false; }
      })) {
        evt.preventDefault();
        evt.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener(
    "keydown",
    function (evt) {
      if (replaying || evt.key !== "Enter" || evt.shiftKey || evt.isComposing) return;
      var guard = guardOf(evt.target);
      if (!guard) return;
      var init = { key: "Enter", code: "Enter", bubbles: true, cancelable: true, ctrlKey: evt.ctrlKey, metaKey: evt.metaKey };
      if (!guard.gate(function () {
        replaying = true;
        try { guard.box.dispatchEvent(new KeyboardEvent("keydown", init)); } finally { replaying = false; }
      })) {
        evt.preventDefault();
        evt.stopImmediatePropagation();
      }
    },
    true
  );

  // Clicks on send controls outside a form (data-qa-guard="#send").
  document.addEventListener(
    "click",
    function (evt) {
      if (replaying) return;
      var boxes = document.querySelectorAll("textarea[data-qa-guard]");
      for (var i = 0; i < boxes.length; i++) {
        var guard = guardOf(boxes[i]);
        if (!guard || guard.form) continue;
        var controls = guard.sendControls();
        var target = evt.target;
        var control = null;
        for (var j = 0; j < controls.length; j++) {
          if (controls[j] === target || controls[j].contains(target)) control = controls[j];
        }
        if (!control) continue;
        if (!guard.gate(function () {
          replaying = true;
          try { control.click(); } finally { replaying = false; }
        })) {
          evt.preventDefault();
          evt.stopImmediatePropagation();
        }
        return;
      }
    },
    true
  );

  function attachAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var boxes = scope.querySelectorAll("textarea[data-qa-guard]");
    if (scope.matches && scope.matches("textarea[data-qa-guard]")) boxes = [scope];
    Array.prototype.forEach.call(boxes, function (box) {
      if (!box.__qaGuard) box.__qaGuard = new Guard(box);
    });
  }

  function start() {
    injectStyle();
    attachAll(document);
    document.addEventListener("htmx:load", function (evt) { attachAll(evt.target); });
    if (window.MutationObserver) {
      new MutationObserver(function (records) {
        records.forEach(function (record) {
          Array.prototype.forEach.call(record.addedNodes, function (node) {
            if (node.nodeType === 1) attachAll(node);
          });
        });
      }).observe(document.body, { childList: true, subtree: true });
    }
  }

  window.kefuGuard = { attach: attachAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
