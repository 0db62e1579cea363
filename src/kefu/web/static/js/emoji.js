/* kefu 表情 picker: a button that opens a grid of the emoji shop agents use every day; a
 * click (or Enter / Space) puts one at the caret of the compose box.
 *
 * Markup (chat/emoji_picker.html):
 *   <div class="emoji-picker" data-emoji-picker data-emoji-target="#input">
 *     <button type="button" class="emoji-toggle" aria-expanded="false" aria-controls="…">
 *     <div class="emoji-panel" id="…" role="dialog" hidden></div>
 *   </div>
 * The grid is built here from EMOJI. Keyboard: the arrows move between emoji (one tab stop
 * for the whole grid), Home / End go to the first / last, Escape closes and gives the focus
 * back to the button; a click outside or Tab out closes too. Inserting fires an `input`
 * event on the box, so the QA guard and the typing signal see the new text.
 */
(function () {
  "use strict";

  // Our own list: [emoji, its name (the button's aria-label)], in groups.
  var EMOJI = [
    ["笑脸", [
      ["😊", "微笑"], ["😄", "大笑"], ["😂", "笑哭"], ["🤣", "笑翻了"], ["😁", "呲牙"],
      ["😉", "眨眼"], ["😍", "喜欢"], ["🥰", "开心"], ["😘", "飞吻"], ["😋", "好吃"],
      ["😎", "酷"], ["🤗", "拥抱"], ["🤔", "想一想"], ["😅", "尴尬"], ["😳", "害羞"],
      ["😢", "难过"], ["😭", "大哭"], ["😱", "惊讶"], ["😴", "困了"], ["🙈", "不好意思"],
    ]],
    ["手势", [
      ["🙏", "拜托谢谢"], ["👍", "点赞"], ["👌", "好的"], ["🤝", "握手"], ["👏", "鼓掌"],
      ["💪", "加油"], ["✌️", "耶"], ["🙋", "举手"], ["👋", "再见"], ["🙌", "欢呼"],
    ]],
    ["物品", [
      ["❤️", "爱心"], ["💕", "两颗心"], ["🌹", "玫瑰"], ["🌸", "花"], ["🎉", "庆祝"],
      ["🎁", "礼物"], ["🧧", "红包"], ["📦", "包裹"], ["🚚", "快递"], ["⭐", "星星"],
      ["✅", "完成"], ["🔥", "火爆"], ["💯", "满分"], ["☕", "咖啡"], ["⏰", "闹钟"],
    ]],
  ];

  function Picker(root) {
    this.root = root;
    this.toggle = root.querySelector(".emoji-toggle");
    this.panel = root.querySelector(".emoji-panel");
    this.target = document.querySelector(root.dataset.emojiTarget || "textarea");
    this.items = [];
    this.build();
    this.bind();
  }

  Picker.prototype.build = function () {
    var self = this;
    this.panel.replaceChildren();
    EMOJI.forEach(function (group) {
      var box = document.createElement("div");
      box.className = "emoji-group";
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", group[0]);
      group[1].forEach(function (entry) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "emoji-item";
        button.textContent = entry[0];
        button.dataset.emoji = entry[0];
        button.setAttribute("aria-label", entry[1]);
        button.title = entry[1];
        button.tabIndex = -1;
        box.appendChild(button);
        self.items.push(button);
      });
      self.panel.appendChild(box);
    });
    if (this.items.length) this.items[0].tabIndex = 0;
  };

  Picker.prototype.isOpen = function () {
    return !this.panel.hidden;
  };

  Picker.prototype.open = function () {
    this.panel.hidden = false;
    this.toggle.setAttribute("aria-expanded", "true");
    var current = this.panel.querySelector('.emoji-item[tabindex="0"]') || this.items[0];
    if (current) current.focus();
  };

  Picker.prototype.close = function (focusBack) {
    if (!this.isOpen()) return;
    this.panel.hidden = true;
    this.toggle.setAttribute("aria-expanded", "false");
    if (focusBack) this.toggle.focus();
  };

  Picker.prototype.move = function (from, to) {
    if (!to || to === from) return;
    from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  };

  /* The emoji in the next row up or down: the one whose middle is nearest horizontally. */
  Picker.prototype.vertical = function (from, down) {
    var box = from.getBoundingClientRect();
    var best = null;
    var bestScore = Infinity;
    this.items.forEach(function (item) {
      var r = item.getBoundingClientRect();
      var dy = down ? r.top - box.bottom : box.top - r.bottom;
      if (dy < -1) return; // same row or the wrong way
      var dx = Math.abs(r.left + r.width / 2 - (box.left + box.width / 2));
      var score = dy * 1000 + dx;
      if (score < bestScore) { bestScore = score; best = item; }
    });
    return best;
  };

  Picker.prototype.insert = function (emoji) {
    var box = this.target;
    if (!box) return;
    var start = box.selectionStart == null ? box.value.length : box.selectionStart;
    var end = box.selectionEnd == null ? start : box.selectionEnd;
    if (box.maxLength > 0 && box.value.length - (end - start) + emoji.length > box.maxLength) {
      box.focus();
      return; // the box is full: as if typed, nothing goes in
    }
    box.focus();
    box.setRangeText(emoji, start, end, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };

  Picker.prototype.bind = function () {
    var self = this;
    this.toggle.addEventListener("click", function () {
      if (self.isOpen()) self.close(false);
      else self.open();
    });
    this.panel.addEventListener("click", function (evt) {
      var item = evt.target.closest(".emoji-item");
      if (!item) return;
      self.move(self.panel.querySelector('.emoji-item[tabindex="0"]'), item);
      self.close(false);
      self.insert(item.dataset.emoji);
    });
    this.panel.addEventListener("keydown", function (evt) {
      var item = evt.target.closest(".emoji-item");
      if (evt.key === "Escape") {
        evt.preventDefault();
        evt.stopPropagation();
        self.close(true);
        return;
      }
      if (!item) return;
      var index = self.items.indexOf(item);
      var next = null;
      switch (evt.key) {
        case "ArrowRight": next = self.items[index + 1]; break;
        case "ArrowLeft": next = self.items[index - 1]; break;
        case "ArrowDown": next = self.vertical(item, true); break;
        case "ArrowUp": next = self.vertical(item, false); break;
        case "Home": next = self.items[0]; break;
        case "End": next = self.items[self.items.length - 1]; break;
        default: return;
      }
      evt.preventDefault();
      self.move(item, next);
    });
    this.toggle.addEventListener("keydown", function (evt) {
      if (evt.key === "Escape" && self.isOpen()) {
        evt.preventDefault();
        self.close(true);
      }
    });
    // A click or a tap anywhere else closes it; so does the focus leaving it (Tab).
    document.addEventListener("pointerdown", function (evt) {
      if (self.isOpen() && !self.root.contains(evt.target)) self.close(false);
    });
    this.root.addEventListener("focusout", function (evt) {
      if (self.isOpen() && evt.relatedTarget && !self.root.contains(evt.relatedTarget)) {
        self.close(false);
      }
    });
  };

  function attachAll() {
    document.querySelectorAll("[data-emoji-picker]").forEach(function (root) {
      if (!root.__emojiPicker) root.__emojiPicker = new Picker(root);
    });
  }

  window.KefuEmoji = { EMOJI: EMOJI, attach: attachAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", attachAll);
  else attachAll();
})();
