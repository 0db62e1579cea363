/* kefu live chat — one small module for the buyer page and the agent inbox.
 *
 * The socket reconnects by itself (backoff up to 5 s); on every (re)connect it resumes
 * each followed conversation from the last seq it has, then resends what was never
 * acknowledged under the same client_msg_id (the server stores a message once). Messages
 * are kept per conversation by seq, so repeats are dropped and order never depends on the
 * network. Text is only ever set with textContent: a message is never HTML.
 */
(function () {
  "use strict";

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  var SENDER_LABELS = { buyer: "买家", agent: "客服", bot: "机器人", system: "系统" };
  // The queues' labels come from the server (one vocabulary, in the page's language).
  var QUEUE_LABELS = {};
  var root = document.getElementById("chat");
  if (root && root.dataset.queueLabels) {
    try {
      QUEUE_LABELS = JSON.parse(root.dataset.queueLabels);
    } catch (e) {
      QUEUE_LABELS = {};
    }
  }

  /* A conversation's message list: bubbles in seq order, each seq once.
   *
   * Drawing is batched: new bubbles go into a DocumentFragment that is put into the page
   * once per animation frame (or at once by flush(), e.g. when a resume is complete), and
   * the scroll to the end is one per frame too. Nothing reads the layout per message, so
   * 500 messages of history cost one layout, not 500. */
  function Thread(container, mineSender) {
    this.container = container;
    this.mine = mineSender;
    this.bySeq = new Map();
    this.pending = new Map(); // client_msg_id -> bubble shown before the ack
    this.lastSeq = 0;
    this.drawnSeq = 0; // highest seq in the page or in the batch
    this.batch = null; // DocumentFragment of bubbles not yet in the page
    this.frame = 0;
    this.timer = 0;
    this.scrolling = false;
    this.onAdd = null; // called with each new message event, in arrival order
  }

  Thread.prototype.bubble = function (sender, who, text, extraClass) {
    var row = el("div", "msg msg-" + sender + (extraClass ? " " + extraClass : ""));
    if (sender === this.mine) row.classList.add("mine");
    row.appendChild(el("span", "who", who));
    row.appendChild(el("div", "bubble", text));
    return row;
  };

  Thread.prototype.add = function (event) {
    var seq = event.seq;
    if (this.bySeq.has(seq)) return false;
    var who = event.sender_name || SENDER_LABELS[event.sender] || event.sender;
    var row = this.bubble(event.sender, who, event.text);
    row.dataset.seq = String(seq);
    if (event.kind === "image" && event.attachments && event.attachments[0] && event.attachments[0].url) {
      var img = el("img", "chat-image");
      img.src = "/chat/images/" + encodeURIComponent(event.attachments[0].url);
      img.alt = "图片";
      row.querySelector(".bubble").replaceChildren(img);
    }
    var waiting = event.client_msg_id && this.pending.get(event.client_msg_id);
    if (waiting) {
      waiting.remove();
      this.pending.delete(event.client_msg_id);
    }
    if (seq > this.drawnSeq) {
      // The usual case (history and live messages come in order): after everything.
      if (!this.batch) this.batch = document.createDocumentFragment();
      this.batch.appendChild(row);
      this.drawnSeq = seq;
      this.schedule();
    } else {
      // Out of order (rare): before the first drawn message with a higher seq.
      this.flush();
      var before = null;
      var children = this.container.children;
      for (var i = children.length - 1; i >= 0; i--) {
        var other = children[i];
        if (other.dataset.seq === undefined || Number(other.dataset.seq) > seq) before = other;
        else break;
      }
      this.container.insertBefore(row, before);
      this.scrollSoon();
    }
    this.bySeq.set(seq, row);
    if (seq > this.lastSeq) this.lastSeq = seq;
    if (this.onAdd) this.onAdd(event);
    return true;
  };

  Thread.prototype.schedule = function () {
    var self = this;
    if (!this.frame) this.frame = requestAnimationFrame(function () { self.frame = 0; self.flush(); });
    // A background tab gets no animation frames: draw anyway, a little later.
    if (!this.timer) this.timer = setTimeout(function () { self.timer = 0; self.flush(); }, 100);
  };

  /* Put the batch into the page: after the last message, before the pending bubbles. */
  Thread.prototype.flush = function () {
    if (!this.batch) return;
    var batch = this.batch;
    this.batch = null;
    var firstPending = null;
    this.pending.forEach(function (row) {
      if (!firstPending && row.parentNode) firstPending = row;
    });
    this.container.insertBefore(batch, firstPending && firstPending.parentNode === this.container ? firstPending : null);
    this.scrollSoon();
  };

  Thread.prototype.scrollSoon = function () {
    var self = this;
    if (this.scrolling) return;
    this.scrolling = true;
    requestAnimationFrame(function () {
      self.scrolling = false;
      self.scrollToEnd();
    });
  };

  Thread.prototype.scrollToEnd = function () {
    if (!this.container.hidden) this.container.scrollTop = this.container.scrollHeight;
  };

  Thread.prototype.addPending = function (clientMsgId, text) {
    this.flush();
    var row = this.bubble(this.mine, "发送中…", text, "pending");
    this.container.appendChild(row);
    this.pending.set(clientMsgId, row);
    this.scrollSoon();
  };

  Thread.prototype.fail = function (clientMsgId, message) {
    var row = this.pending.get(clientMsgId);
    if (!row) return;
    row.classList.add("failed");
    row.querySelector(".who").textContent = message;
    this.pending.delete(clientMsgId);
  };

  /* The socket: reconnect, resume, resend. */
  function ChatSocket(path, onEvent) {
    this.url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
    this.onEvent = onEvent;
    this.unacked = new Map(); // client_msg_id -> payload, resent after a reconnect
    this.followed = new Map(); // conversation_id -> function returning the last seen seq
    this.delay = 250;
    this.ws = null;
    this.connect();
  }

  ChatSocket.prototype.connect = function () {
    var self = this;
    var ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = function () {
      self.delay = 250;
      self.onEvent({ type: "connection", state: "open" });
    };
    ws.onmessage = function (msg) {
      var event;
      try { event = JSON.parse(msg.data); } catch (e) { return; }
      if (event.type === "history") {
        // A resume's messages in one frame (cheaper than one frame each): the same events,
        // handled in one go, so they are drawn as one batch.
        (event.messages || []).forEach(function (m) { self.onEvent(m); });
        return;
      }
      if (event.type === "hello") {
        // Catch up first, then resend what the server never acknowledged.
        self.followed.forEach(function (lastSeen, cid) { self.resume(cid); });
        self.onEvent(event);
        self.unacked.forEach(function (payload) { self.raw(payload); });
        return;
      }
      if (event.type === "ack" || (event.type === "error" && event.client_msg_id)) {
        self.unacked.delete(event.client_msg_id);
      }
      self.onEvent(event);
      // A long history comes in parts: ask for the next one from the last seq now seen.
      if (event.type === "resumed" && event.more && self.followed.has(event.conversation_id)) {
        self.resume(event.conversation_id);
      }
    };
    ws.onclose = function () {
      self.onEvent({ type: "connection", state: "closed" });
      setTimeout(function () { self.connect(); }, self.delay);
      self.delay = Math.min(self.delay * 2, 5000);
    };
  };

  ChatSocket.prototype.raw = function (payload) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(payload));
      return true;
    }
    return false;
  };

  ChatSocket.prototype.follow = function (cid, lastSeen) {
    this.followed.set(cid, lastSeen);
    this.resume(cid);
  };

  ChatSocket.prototype.resume = function (cid) {
    var lastSeen = this.followed.get(cid);
    // batch: the page takes the history as one `history` frame where the server offers it.
    this.raw({ type: "resume", conversation_id: cid, after_seq: lastSeen ? lastSeen() : 0, batch: true });
  };

  ChatSocket.prototype.send = function (fields) {
    var payload = Object.assign({ type: "send", client_msg_id: newId() }, fields);
    this.unacked.set(payload.client_msg_id, payload);
    this.raw(payload); // if closed, the reconnect resends it
    return payload.client_msg_id;
  };

  function showError(message) {
    var box = document.getElementById("chat-error");
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
  }

  function connState(event) {
    var node = document.getElementById("conn-state");
    if (!node) return;
    var open = event.state === "open";
    node.dataset.state = open ? "open" : "closed";
    node.textContent = open ? "已连接" : "重新连接中…";
  }

  function sendOnEnter(input, submit) {
    input.addEventListener("keydown", function (evt) {
      if (evt.key === "Enter" && !evt.shiftKey && !evt.isComposing) {
        evt.preventDefault();
        submit();
      }
    });
  }

  /* ---------------- buyer page ---------------- */
  function buyerPage(root) {
    var messages = document.getElementById("messages");
    var input = document.getElementById("input");
    var thread = new Thread(messages, "buyer");
    var conversationId = null;
    var rating = document.getElementById("rating");

    var socket = new ChatSocket(root.dataset.ws, function (event) {
      switch (event.type) {
        case "connection": connState(event); break;
        case "hello":
          if (event.conversation_id && event.conversation_id !== conversationId) {
            conversationId = event.conversation_id;
            socket.follow(conversationId, function () { return thread.lastSeq; });
          }
          break;
        case "ack":
          if (!conversationId) {
            conversationId = event.conversation_id;
            socket.followed.set(conversationId, function () { return thread.lastSeq; });
          }
          break;
        case "message": thread.add(event); break;
        case "conversation":
        case "resumed":
          if (event.type === "resumed") thread.flush();
          rating.hidden = event.status !== "closed";
          break;
        case "rated":
          document.getElementById("rating-done").hidden = false;
          rating.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
          break;
        case "error":
          if (event.client_msg_id) thread.fail(event.client_msg_id, event.message);
          showError(event.message);
          break;
      }
    });

    function submit() {
      var text = input.value;
      if (!text.trim()) return;
      showError("");
      var fields = { text: text };
      if (conversationId) fields.conversation_id = conversationId;
      var id = socket.send(fields);
      thread.addPending(id, text);
      input.value = "";
    }
    document.getElementById("composer").addEventListener("submit", function (evt) {
      evt.preventDefault();
      submit();
    });
    sendOnEnter(input, submit);
    document.getElementById("image-input").addEventListener("change", function (evt) {
      var file = evt.target.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        var id = socket.send({ text: "", image: String(reader.result), conversation_id: conversationId || undefined });
        thread.addPending(id, "[图片]");
      };
      reader.readAsDataURL(file);
      evt.target.value = "";
    });
    rating.addEventListener("click", function (evt) {
      var btn = evt.target.closest("[data-rating]");
      if (!btn || !conversationId) return;
      socket.raw({ type: "rate", conversation_id: conversationId, rating: Number(btn.dataset.rating) });
    });
  }

  /* ---------------- agent inbox ---------------- */
  function agentPage(root) {
    var panel = document.getElementById("panel");
    var list = document.getElementById("live-list");
    var input = document.getElementById("input");
    var composer = document.getElementById("composer");
    var quick = document.getElementById("quick-replies");
    var threads = new Map(); // conversation_id -> Thread (kept: switching back is instant)
    var loading = new Set(); // conversations whose resume is not complete yet
    var pageStart = Date.now();
    list.querySelectorAll(".conv-item").forEach(function (item) { item.dataset.countedTo = String(pageStart); });
    /* Unread: a buyer message the page's own list did not count yet. */
    function isNew(item, event) {
      var countedTo = Number(item.dataset.countedTo || "0");
      return !countedTo || (Date.parse(event.ts) || Date.now()) > countedTo;
    }
    var active = null;
    var quickCache = new Map();

    function threadFor(cid) {
      var thread = threads.get(cid);
      if (!thread) {
        var box = el("div", "chat-messages");
        box.dataset.cid = cid;
        box.hidden = true;
        panel.insertBefore(box, quick);
        thread = new Thread(box, "agent");
        thread.onAdd = function (event) { trackWait(cid, event); };
        threads.set(cid, thread);
        loading.add(cid);
        socket.follow(cid, function () { return thread.lastSeq; });
      }
      return thread;
    }

    /* History in the background: the agent's open conversations are loaded one after the
     * other (the next resume goes out when the previous one is complete), top of the list
     * first, so a click finds the history in the page. One at a time keeps a click on a
     * conversation not loaded yet from waiting behind all the others. */
    var prefetchQueue = [];
    var prefetching = null;
    var prefetchTimer = 0;
    function prefetch(ids) {
      var wanted = new Set(ids);
      prefetchQueue = [];
      list.querySelectorAll(".conv-item").forEach(function (item) {
        if (wanted.delete(item.dataset.cid)) prefetchQueue.push(item.dataset.cid);
      });
      wanted.forEach(function (cid) { prefetchQueue.push(cid); });
      if (!prefetching) prefetchNext();
    }
    function prefetchNext() {
      clearTimeout(prefetchTimer);
      prefetching = null;
      while (prefetchQueue.length) {
        var cid = prefetchQueue.shift();
        if (threads.has(cid)) continue;
        prefetching = cid;
        threadFor(cid);
        // An answer that never comes (a refused resume) must not stop the others.
        prefetchTimer = setTimeout(prefetchNext, 5000);
        return;
      }
    }

    /* Waiting time 等待时长: since the first buyer message not yet answered by an agent
     * (bot and system messages do not answer, policies.md §7). Red past the shop's SLA:
     * qa.first_response_seconds while no agent has answered yet, qa.response_seconds after
     * (data-sla-first / data-sla-reply on #chat; without them it is never red). Until a
     * conversation's history is in the page, the server's figure is used with the looser
     * of the two limits. */
    var slaFirst = Number(root.dataset.slaFirst) || 0;
    var slaReply = Number(root.dataset.slaReply) || 0;
    var waitFormats = {
      seconds: root.dataset.fmtSeconds || "{n}秒",
      minutes: root.dataset.fmtMinutes || "{n}分钟",
      hours: root.dataset.fmtHours || "{n}小时",
      days: root.dataset.fmtDays || "{n}天",
    };
    var waits = new Map(); // cid -> {since: ms or null, answered: true/false/null (unknown)}
    var rendered = new Map(); // the same, as the server rendered the list
    list.querySelectorAll(".conv-item[data-waiting]").forEach(function (item) {
      var seconds = Number(item.dataset.waiting);
      if (item.dataset.waiting !== "" && !isNaN(seconds)) {
        rendered.set(item.dataset.cid, { since: pageStart - seconds * 1000, answered: null });
        waits.set(item.dataset.cid, rendered.get(item.dataset.cid));
      }
    });
    var facts = new Map(); // cid -> [[seq, sender, ts ms]] of the messages in the page
    var factsSorted = new Map(); // cid -> whether they came in seq order

    function trackWait(cid, event) {
      var known = facts.get(cid);
      if (!known) { known = []; facts.set(cid, known); factsSorted.set(cid, true); }
      if (known.length && known[known.length - 1][0] > event.seq) factsSorted.set(cid, false);
      known.push([event.seq, event.sender, Date.parse(event.ts) || Date.now()]);
      // Worked out once per batch, not once per message of a history.
      waitsToShow.add(cid);
      if (!waitsTimer) waitsTimer = setTimeout(showWaits, 50);
    }
    /* Replay the conversation's messages in seq order: from seq 1 the page knows it all;
     * otherwise it goes on from what the server rendered. */
    function workOutWait(cid) {
      var known = facts.get(cid) || [];
      if (!factsSorted.get(cid)) {
        known.sort(function (a, b) { return a[0] - b[0]; });
        factsSorted.set(cid, true);
      }
      var fromStart = known.length > 0 && known[0][0] === 1;
      var base = fromStart ? { since: null, answered: false } : rendered.get(cid) || { since: null, answered: null };
      var w = { since: base.since, answered: base.answered };
      known.forEach(function (f) {
        if (f[1] === "buyer") {
          if (w.since === null) w.since = f[2];
        } else if (f[1] === "agent") {
          w.since = null;
          w.answered = true;
        }
      });
      waits.set(cid, w);
    }
    var waitsToShow = new Set();
    var waitsTimer = 0;
    function showWaits() {
      waitsTimer = 0;
      waitsToShow.forEach(function (cid) { workOutWait(cid); showWait(cid); });
      waitsToShow.clear();
    }

    function formatWait(seconds) {
      var n, unit;
      if (seconds < 60) { n = seconds; unit = "seconds"; }
      else if (seconds < 3600) { n = Math.floor(seconds / 60); unit = "minutes"; }
      else if (seconds < 86400) { n = Math.floor(seconds / 3600); unit = "hours"; }
      else { n = Math.floor(seconds / 86400); unit = "days"; }
      return waitFormats[unit].replace("{n}", String(n));
    }

    function showWait(cid, now) {
      var item = list.querySelector('.conv-item[data-cid="' + CSS.escape(cid) + '"]');
      if (!item) return;
      var badge = item.querySelector(".waiting");
      if (!badge) {
        badge = el("span", "waiting");
        badge.hidden = true;
        item.querySelector(".meta").appendChild(badge);
      }
      var w = waits.get(cid);
      if (!w || w.since === null || item.classList.contains("closed")) {
        badge.hidden = true;
        return;
      }
      var seconds = Math.max(0, Math.floor(((now || Date.now()) - w.since) / 1000));
      var limit = w.answered === false ? slaFirst : w.answered === true ? slaReply : Math.max(slaFirst, slaReply);
      var text = formatWait(seconds);
      if (badge.textContent !== text) badge.textContent = text;
      badge.classList.toggle("late", limit > 0 && seconds > limit);
      badge.hidden = false;
    }
    setInterval(function () {
      var now = Date.now();
      waits.forEach(function (w, cid) { if (w.since !== null) showWait(cid, now); });
    }, 1000);

    function listItem(cid, buyer, queue) {
      var item = list.querySelector('.conv-item[data-cid="' + CSS.escape(cid) + '"]');
      if (item) return item;
      var empty = document.getElementById("list-empty");
      if (empty) empty.remove();
      item = el("div", "conv-item");
      item.setAttribute("role", "button");
      item.tabIndex = 0;
      item.dataset.cid = cid;
      item.appendChild(el("span", "buyer", buyer || cid));
      var meta = el("span", "meta");
      meta.appendChild(el("span", "queue-tag", QUEUE_LABELS[queue] || queue || ""));
      var unread = el("span", "unread", "0");
      unread.hidden = true;
      meta.appendChild(unread);
      var wait = el("span", "waiting");
      wait.hidden = true;
      meta.appendChild(wait);
      item.appendChild(meta);
      item.appendChild(el("span", "preview", ""));
      list.prepend(item);
      return item;
    }

    /* Agent assist 智能推荐: the top drafts for the latest buyer message. A click puts the
     * text in the compose box (never sends it): the agent edits, then sends. */
    var suggestBox = document.getElementById("suggestions");
    var suggestList = document.getElementById("suggestion-list");
    var suggestToken = 0;
    function loadSuggestions(cid) {
      if (!suggestBox) return;
      var token = ++suggestToken;
      fetch("/api/v1/chat/conversations/" + encodeURIComponent(cid) + "/suggestions", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .catch(function () { return { suggestions: [] }; })
        .then(function (data) {
          if (token !== suggestToken || active !== cid) return; // a newer request or another conversation
          suggestList.replaceChildren();
          (data.suggestions || []).forEach(function (s) {
            var item = el("button", "suggestion-item", s.text);
            item.type = "button";
            item.setAttribute("role", "listitem");
            item.title = s.text;
            item.dataset.text = s.text;
            item.dataset.kind = s.kind || "";
            suggestList.appendChild(item);
          });
          suggestBox.hidden = !suggestList.children.length;
        });
    }
    if (suggestList) {
      suggestList.addEventListener("click", function (evt) {
        var item = evt.target.closest("[data-text]");
        if (!item) return;
        input.value = item.dataset.text;
        quick.hidden = true;
        input.focus();
      });
    }

    function open(cid) {
      active = cid;
      if (suggestBox) { suggestBox.hidden = true; suggestList.replaceChildren(); }
      loadSuggestions(cid);
      document.getElementById("panel-empty").hidden = true;
      document.getElementById("panel-head").hidden = false;
      document.getElementById("messages").hidden = true;
      composer.hidden = false;
      var thread = threadFor(cid);
      thread.flush();
      threads.forEach(function (t, id) { t.container.hidden = id !== cid; });
      thread.scrollToEnd();
      var item = listItem(cid);
      list.querySelectorAll(".conv-item").forEach(function (i) { i.classList.toggle("active", i === item); });
      item.querySelector(".unread").hidden = true;
      item.querySelector(".unread").textContent = "0";
      document.getElementById("panel-title").textContent = item.querySelector(".buyer").textContent;
      document.getElementById("panel-queue").textContent = item.querySelector(".queue-tag").textContent;
      input.focus();
    }

    list.addEventListener("click", function (evt) {
      var item = evt.target.closest(".conv-item");
      if (item) open(item.dataset.cid);
    });

    var typingTimer = null;
    var socket = new ChatSocket(root.dataset.ws, function (event) {
      var cid = event.conversation_id;
      switch (event.type) {
        case "connection": connState(event); break;
        case "assigned":
          listItem(cid, event.buyer_id, event.queue);
          threadFor(cid);
          notify("新的会话", event.buyer_id);
          break;
        case "message": {
          var thread = threadFor(cid);
          if (!thread.add(event)) break;
          var item = listItem(cid, null, null);
          item.querySelector(".preview").textContent = event.text;
          // History being loaded is not news: no suggestions, badge or notification for
          // each old message. The list rendered with the page already counted what was
          // unread then; a conversation that came later counts all its buyer messages.
          var live = !loading.has(cid);
          if (event.sender === "buyer" && cid === active && live) loadSuggestions(cid);
          if (event.sender === "buyer" && cid !== active && isNew(item, event)) {
            var badge = item.querySelector(".unread");
            badge.textContent = String(Number(badge.textContent || "0") + 1);
            badge.hidden = false;
            if (live) notify("新消息", event.text);
          }
          break;
        }
        case "conversation":
          if (event.status === "closed" || (event.agent_id && event.agent_id !== root.dataset.agentId && event.reason === "transfer")) {
            var closedItem = list.querySelector('.conv-item[data-cid="' + CSS.escape(cid) + '"]');
            if (closedItem) closedItem.classList.add("closed");
            showWait(cid);
          }
          break;
        case "resumed":
          loading.delete(cid);
          if (threads.has(cid)) threads.get(cid).flush();
          if (cid === prefetching) prefetchNext();
          break;
        case "note":
          showError("转接备注：" + event.note);
          break;
        case "typing":
          if (cid === active) {
            var typing = document.getElementById("typing");
            typing.hidden = false;
            clearTimeout(typingTimer);
            typingTimer = setTimeout(function () { typing.hidden = true; }, 3000);
          }
          break;
        case "hello":
          root.dataset.agentId = event.agent_id;
          threads.forEach(function (t, id) { loading.add(id); }); // the socket resumes them
          (event.conversations || []).forEach(function (id) { listItem(id); });
          prefetch(event.conversations || []);
          break;
        case "status":
          document.querySelectorAll("#status-switch button").forEach(function (b) {
            b.setAttribute("aria-pressed", b.dataset.status === event.status ? "true" : "false");
          });
          break;
        case "error":
          if (event.client_msg_id && threads.get(active)) threads.get(active).fail(event.client_msg_id, event.message);
          showError(event.message);
          break;
      }
    });

    function notify(title, body) {
      if (document.hasFocus() || !("Notification" in window)) return;
      if (Notification.permission === "granted") new Notification(title, { body: body || "" });
    }
    if ("Notification" in window && Notification.permission === "default") {
      document.addEventListener("click", function ask() {
        Notification.requestPermission();
        document.removeEventListener("click", ask);
      });
    }

    function submit(quickReply) {
      var text = input.value;
      if (!active || !text.trim()) return;
      showError("");
      var fields = { conversation_id: active, text: text, quick_reply: !!quickReply };
      // A supervisor's override of the QA guard (guard.js) for exactly this text; the
      // server checks it again and refuses a blocked message without one (QA_BLOCKED).
      var allow = input.dataset.qaAllowToken;
      if (allow && input.dataset.qaAllowedText === text) fields.qa_allow_token = allow;
      var id = socket.send(fields);
      threadFor(active).addPending(id, text);
      input.value = "";
      quick.hidden = true;
    }
    composer.addEventListener("submit", function (evt) { evt.preventDefault(); submit(false); });
    input.addEventListener("keydown", function (evt) {
      if (!quick.hidden && evt.key === "Enter" && !evt.isComposing) {
        var first = quick.querySelector("[data-text]");
        if (first) {
          evt.preventDefault();
          input.value = first.dataset.text;
          quick.hidden = true;
          return;
        }
      }
      if (evt.key === "Escape") quick.hidden = true;
      if (evt.key === "Enter" && !evt.shiftKey && !evt.isComposing) {
        evt.preventDefault();
        submit(false);
      }
    });

    /* Quick replies: "/" at the start opens them, what follows filters them. */
    function showQuick(items, filter) {
      quick.replaceChildren();
      items.filter(function (r) {
        return !filter || r.shortcut.indexOf("/" + filter) === 0 || r.title.indexOf(filter) >= 0 || r.text.indexOf(filter) >= 0;
      }).slice(0, 8).forEach(function (r) {
        var option = el("div", "quick-item");
        option.setAttribute("role", "option");
        option.dataset.text = r.text;
        option.appendChild(el("b", null, (r.shortcut || "") + " " + r.title));
        option.appendChild(el("span", null, r.text));
        quick.appendChild(option);
      });
      quick.hidden = !quick.children.length;
    }
    input.addEventListener("input", function () {
      if (active) socket.raw({ type: "typing", conversation_id: active });
      var value = input.value;
      if (value.charAt(0) !== "/" || value.indexOf("\n") >= 0) { quick.hidden = true; return; }
      var filter = value.slice(1);
      var cid = active;
      if (quickCache.has(cid)) { showQuick(quickCache.get(cid), filter); return; }
      fetch("/api/v1/chat/conversations/" + encodeURIComponent(cid) + "/quick-replies", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) { quickCache.set(cid, items); if (active === cid) showQuick(items, input.value.slice(1)); });
    });
    quick.addEventListener("click", function (evt) {
      var option = evt.target.closest("[data-text]");
      if (!option) return;
      input.value = option.dataset.text;
      quick.hidden = true;
      input.focus();
    });

    document.getElementById("transfer-btn").addEventListener("click", function () {
      var target = document.getElementById("transfer-target").value;
      if (!active || !target) return;
      var parts = target.split(":");
      var payload = { type: "transfer", conversation_id: active, note: document.getElementById("transfer-note").value };
      payload[parts[0] === "queue" ? "to_queue" : "to_agent"] = parts[1];
      socket.raw(payload);
    });
    document.getElementById("close-btn").addEventListener("click", function () {
      if (active) socket.raw({ type: "close", conversation_id: active });
    });
    document.getElementById("status-switch").addEventListener("click", function (evt) {
      var btn = evt.target.closest("[data-status]");
      if (btn) socket.raw({ type: "status", status: btn.dataset.status });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("chat");
    if (!root) return;
    if (root.dataset.role === "buyer") buyerPage(root);
    else agentPage(root);
  });

  window.KefuChat = { Thread: Thread, ChatSocket: ChatSocket };
})();
