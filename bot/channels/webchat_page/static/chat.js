/* kefu web chat: plain JavaScript, no framework, no inline code (the page's CSP).
 *
 * Speaks the rasa-webchat protocol with Rasa's socket.io channel (bot/channels/webchat.py):
 * session_request / session_confirm, user_uttered / bot_uttered, plus kefu's
 * session_history (the conversation so far) and kefu_error. Every text from the server is
 * written with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  const MAX_CHARS = 1000;
  const SESSION_KEY = "kefu.webchat.session";
  const LANGUAGE_KEY = "kefu.webchat.language";

  // ---------------------------------------------------------------- texts (zh, en)

  const T = {
    "title": ["在线客服", "Online service"],
    "other_language": ["English", "中文"],
    "other_language_label": ["Switch to English", "切换到中文"],
    "transcript": ["对话记录", "Conversation"],
    "input_label": ["输入消息", "Your message"],
    "placeholder": ["请输入您的问题…", "Type your question…"],
    "send": ["发送", "Send"],
    "hint": ["Enter 发送，Shift+Enter 换行", "Enter to send, Shift+Enter for a new line"],
    "buttons": ["可选回复", "Suggested replies"],
    "link": ["打开附件", "Open the attachment"],
    "speaker.customer": ["我", "You"],
    "speaker.bot": ["智能客服", "Assistant"],
    "speaker.service": ["服务通知", "Notice"],
    "speaker.agent": ["人工客服", "Agent"],
    "speaker.agent_named": ["客服 {name}", "Agent {name}"],
    "connection.connecting": ["正在连接…", "Connecting…"],
    "connection.connected": ["已连接", "Connected"],
    "connection.reconnecting": ["连接已断开，正在重新连接…", "Connection lost; reconnecting…"],
    "handoff.waiting": ["正在为您转接人工客服，请稍候", "Waiting for an agent"],
    "handoff.waiting_place": ["正在等待人工客服：您排在第 {n} 位",
      "Waiting for an agent: you are number {n} in the queue"],
    "handoff.agent": ["人工客服正在为您服务", "An agent is with you"],
    "handoff.agent_named": ["人工客服 {name} 正在为您服务", "{name}, an agent, is with you"],
    "error.too_long": ["消息太长，最多 1000 个字", "The message is too long: 1000 characters at most"],
    "error.empty": ["请输入消息", "Type a message first"],
    "error.control_characters": ["消息含有无法发送的字符", "The message contains characters that cannot be sent"],
    "error.no_session": ["会话已失效，正在重新连接", "The session has expired; reconnecting"],
    "error.unknown": ["消息未能发送，请重试", "The message could not be sent; try again"],
    "welcome": [
      "您好，欢迎使用在线客服！我可以为您办理银行卡挂失、查询余额和交易、转账、受理投诉等，也可以为您转接人工客服。请直接输入您的问题。\n为保障您的资金安全，请勿在对话中发送完整卡号、密码或验证码。",
      "Hello, and welcome to our online service. I can help you report a lost card, check balances and transactions, make transfers, file a complaint and more, or put you through to an agent. Just type your question.\nFor your security, please never send your full card number, password or one-time codes in this chat."],
    "suggest.card_lost": ["挂失银行卡", "Report a lost card"],
    "suggest.balance": ["查询余额", "Check my balance"],
    "suggest.complaint": ["我要投诉", "Make a complaint"],
    "suggest.agent": ["转人工客服", "Talk to an agent"],
  };

  // What the welcome offers to start with; a click sends the title, in the page's language.
  const SUGGESTIONS = ["suggest.card_lost", "suggest.balance", "suggest.complaint", "suggest.agent"];

  const $ = (id) => document.getElementById(id);
  const transcript = $("transcript");
  const input = $("message-input");
  const sendButton = $("send-button");
  const connection = $("connection");
  const handoff = $("handoff");
  const errorLine = $("chat-error");

  let language = chooseLanguage();
  let sessionId = stored(SESSION_KEY);

  function stored(key) {
    try { return window.localStorage.getItem(key); } catch (_) { return null; }
  }

  function store(key, value) {
    try { window.localStorage.setItem(key, value); } catch (_) { /* private mode: this page only */ }
  }

  function chooseLanguage() {
    const chosen = stored(LANGUAGE_KEY);
    if (chosen === "zh" || chosen === "en") return chosen;
    const preferred = (navigator.languages && navigator.languages[0]) || navigator.language || "zh";
    return preferred.toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  function text(key, values) {
    const pair = T[key] || [key, key];
    let out = pair[language === "zh" ? 0 : 1];
    for (const [name, value] of Object.entries(values || {})) out = out.replace(`{${name}}`, value);
    return out;
  }

  // An element's text follows the language: its key in data-i18n, values in data-name, data-n.
  function localise(element) {
    const values = {};
    if (element.dataset.name) values.name = element.dataset.name;
    if (element.dataset.n) values.n = element.dataset.n;
    element.textContent = text(element.dataset.i18n, values);
  }

  function applyLanguage() {
    document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
    document.title = `${text("title")} · kefu`;
    document.querySelectorAll("[data-i18n]").forEach(localise);
    document.querySelectorAll("[data-i18n-label]").forEach((element) => {
      element.setAttribute("aria-label", text(element.dataset.i18nLabel));
    });
    input.placeholder = text("placeholder");
    const toggle = $("lang-toggle");
    toggle.textContent = text("other_language");
    toggle.lang = language === "zh" ? "en" : "zh-CN";
    toggle.setAttribute("aria-label", text("other_language_label"));
  }

  function labelled(element, key, values) {
    element.dataset.i18n = key;
    if (values && values.name) element.dataset.name = values.name;
    if (values && values.n) element.dataset.n = String(values.n);
    localise(element);
    return element;
  }

  // ---------------------------------------------------------------- status lines

  function setConnection(state) {
    connection.dataset.state = state;
    labelled(connection, `connection.${state}`);
  }

  function setHandoff(kefu) {
    if (!kefu || !kefu.handoff) return;
    handoff.dataset.state = kefu.handoff;
    delete handoff.dataset.name;
    delete handoff.dataset.n;
    if (kefu.handoff === "waiting") {
      labelled(handoff, kefu.position ? "handoff.waiting_place" : "handoff.waiting",
        { n: kefu.position });
    } else if (kefu.handoff === "agent") {
      labelled(handoff, kefu.agent_name ? "handoff.agent_named" : "handoff.agent",
        { name: kefu.agent_name });
    }
    handoff.hidden = kefu.handoff === "bot";
  }

  function showError(key) {
    labelled(errorLine, `error.${T[`error.${key}`] ? key : "unknown"}`);
    errorLine.hidden = false;
  }

  function clearError() {
    errorLine.hidden = true;
  }

  // ---------------------------------------------------------------- the transcript

  function line(from, speakerKey, values) {
    const item = document.createElement("li");
    item.className = `message message-${from}`;
    item.setAttribute("data-testid", "message");
    item.dataset.from = from;
    const speaker = document.createElement("span");
    speaker.className = "speaker";
    speaker.setAttribute("data-testid", "speaker");
    item.appendChild(labelled(speaker, speakerKey, values));
    transcript.appendChild(item);
    return item;
  }

  function bubble(item, content) {
    const paragraph = document.createElement("p");
    paragraph.className = "bubble";
    paragraph.setAttribute("data-testid", "message-text");
    paragraph.textContent = content;
    item.appendChild(paragraph);
  }

  function scrollToEnd() {
    transcript.scrollTop = transcript.scrollHeight;
  }

  // Buttons are answered by the customer's next message (a click, or typed text): the
  // group is disabled, and the button with that title marked as the one chosen.
  function closeChoices(answer) {
    transcript.querySelectorAll("[data-testid=buttons]:not([data-answered])").forEach((group) => {
      group.dataset.answered = "true";
      group.querySelectorAll("button").forEach((button) => {
        button.disabled = true;
        if (button.textContent === answer) button.classList.add("chosen");
      });
    });
  }

  function addCustomer(content) {
    closeChoices(content);
    bubble(line("customer", "speaker.customer"), content);
    scrollToEnd();
  }

  function speakerOf(kefu) {
    if (kefu.from === "agent") {
      return kefu.agent_name ? ["speaker.agent_named", { name: kefu.agent_name }] : ["speaker.agent"];
    }
    return [kefu.from === "service" ? "speaker.service" : "speaker.bot"];
  }

  function addBot(message) {
    const kefu = (message.metadata && message.metadata.kefu) || { from: "bot" };
    const from = ["agent", "service"].includes(kefu.from) ? kefu.from : "bot";
    const [key, values] = speakerOf(kefu);
    const item = line(from, key, values);
    if (kefu.agent_name) item.dataset.agentName = kefu.agent_name;
    if (message.text) bubble(item, message.text);
    const link = attachmentUrl(message.attachment);
    if (link) {
      const anchor = document.createElement("a");
      anchor.href = link;
      anchor.target = "_blank";
      anchor.rel = "noopener noreferrer";
      labelled(anchor, "link");
      item.appendChild(anchor);
    }
    const choices = message.quick_replies || message.buttons || [];
    if (choices.length) item.appendChild(choiceGroup(choices));
    setHandoff(kefu);
    scrollToEnd();
  }

  // The page's own greeting, always first: not part of the conversation (no agent sees it),
  // so it follows the page's language; its suggestions close once the customer says anything.
  function addWelcome() {
    const item = document.createElement("li");
    item.className = "message message-bot message-welcome";
    item.setAttribute("data-testid", "welcome");
    item.dataset.from = "welcome";
    const speaker = document.createElement("span");
    speaker.className = "speaker";
    item.appendChild(labelled(speaker, "speaker.bot"));
    const paragraph = document.createElement("p");
    paragraph.className = "bubble";
    paragraph.setAttribute("data-testid", "welcome-text");
    item.appendChild(labelled(paragraph, "welcome"));
    const group = choiceGroup([]);
    for (const key of SUGGESTIONS) group.appendChild(suggestionButton(key));
    item.appendChild(group);
    transcript.appendChild(item);
  }

  function suggestionButton(key) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "choice";
    button.setAttribute("data-testid", "choice");
    labelled(button, key);
    button.addEventListener("click", () => send(text(key), text(key)));
    return button;
  }

  function attachmentUrl(attachment) {
    const payload = attachment && attachment.payload;
    const url = payload && (payload.src || payload.url);
    return typeof url === "string" && /^https?:\/\//.test(url) ? url : "";
  }

  function choiceGroup(choices) {
    const group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("data-testid", "buttons");
    group.dataset.i18nLabel = "buttons";
    group.setAttribute("aria-label", text("buttons"));
    for (const choice of choices) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      button.setAttribute("data-testid", "choice");
      button.textContent = choice.title;
      button.addEventListener("click", () => send(choice.payload, choice.title));
      group.appendChild(button);
    }
    return group;
  }

  function showHistory(messages) {
    // Busy while rebuilt, so that screen readers do not read the whole transcript again.
    transcript.setAttribute("aria-busy", "true");
    transcript.replaceChildren();
    addWelcome();
    handoff.hidden = true;
    for (const entry of messages) {
      if (entry.from === "customer") addCustomer(entry.text);
      else addBot(entry.message || {});
    }
    transcript.removeAttribute("aria-busy");
  }

  // ---------------------------------------------------------------- the socket

  const meta = document.querySelector("meta[name=kefu-socket-url]");
  const socketUrl = (meta && meta.content) || undefined;
  const socket = window.io(socketUrl, { path: "/socket.io", reconnectionDelayMax: 5000 });

  // Messages can be sent only once the server has confirmed the session; what the customer
  // sends before that (a slow link, a reconnection) waits here and goes out, in order, once
  // the server's transcript (which replaces ours) has arrived.
  let confirmed = false;
  const waiting = [];

  socket.on("connect", () => {
    confirmed = false;
    socket.emit("session_request", { session_id: sessionId });
  });
  socket.on("session_confirm", (answer) => {
    sessionId = typeof answer === "string" ? answer : (answer && answer.session_id);
    store(SESSION_KEY, sessionId);
    document.body.dataset.sessionId = sessionId;
    updateComposer();
  });
  // The server's transcript replaces ours: it has what was said while we were away. Sending
  // waits for it (the server sends it right after session_confirm): a message sent between
  // the two was wiped from the page by the transcript, which was built before it.
  socket.on("session_history", (history) => {
    if (!history || !sessionId || history.session_id !== sessionId) return;
    confirmed = true;
    setConnection("connected");
    showHistory(history.messages || []);
    while (confirmed && waiting.length) {
      const next = waiting.shift();
      socket.emit("user_uttered", { message: next.message, session_id: sessionId });
      addCustomer(next.shown);
    }
  });
  socket.on("bot_uttered", (message) => addBot(message || {}));
  socket.on("kefu_error", (problem) => {
    showError(problem && problem.error);
    if (problem && problem.error === "no_session") socket.emit("session_request", { session_id: sessionId });
  });
  socket.on("disconnect", (reason) => {
    confirmed = false;
    setConnection("reconnecting");
    updateComposer();
    // After a server-side disconnect socket.io does not retry by itself.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", () => setConnection(socket.active ? "reconnecting" : "connecting"));

  // ---------------------------------------------------------------- sending

  // Sends a message (typed text, or a button's payload shown as its title); true when sent.
  function send(message, shown) {
    if (!message.trim()) { showError("empty"); return false; }
    if (message.length > MAX_CHARS) { showError("too_long"); return false; }
    clearError();
    if (confirmed && socket.connected) {
      socket.emit("user_uttered", { message: message, session_id: sessionId });
    } else {
      waiting.push({ message: message, shown: shown });
    }
    addCustomer(shown);
    return true;
  }

  function updateComposer() {
    const length = input.value.length;
    $("char-count").textContent = `${length}/${MAX_CHARS}`;
    sendButton.disabled = !input.value.trim() || length > MAX_CHARS;
  }

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const message = input.value;
    if (send(message, message.trim())) {
      input.value = "";
      updateComposer();
    }
    input.focus();
  });

  input.addEventListener("input", updateComposer);
  input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition is not a send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });

  $("lang-toggle").addEventListener("click", () => {
    language = language === "zh" ? "en" : "zh";
    store(LANGUAGE_KEY, language);
    applyLanguage();
  });

  addWelcome();
  applyLanguage();
  setConnection("connecting");
  updateComposer();
})();
