// The optional, voluntary self-identification step (issue 15): offered on
// the done page after the last answer, as a form of its own. It is sent
// only when the candidate presses "Send"; "Skip" sends nothing. The answers
// never reach a reviewer, only the adverse-impact aggregate.
"use strict";
(function () {
  window.takesSelfId = function (screen, secret, strings) {
    var S = (strings && strings.self_id) || null;
    if (!S || !S.categories) return;
    function node(tag, attrs, kids) {
      var n = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) {
        if (k === "text") n.textContent = attrs[k]; else n.setAttribute(k, attrs[k]);
      });
      (kids || []).forEach(function (c) { if (c) n.appendChild(c); });
      return n;
    }
    var status = node("p", { id: "self-id-status", role: "status" });
    var form = node("form", { id: "self-id-form", novalidate: "" });
    S.order.forEach(function (category) {
      var c = S.categories[category];
      var set = node("fieldset", {}, [node("legend", { text: c.legend })]);
      Object.keys(c.answers).forEach(function (answer) {
        var id = "self-id-" + category + "-" + answer;
        var input = node("input", { type: "radio", name: category, value: answer, id: id });
        set.appendChild(node("div", {}, [input, node("label", { "for": id, text: " " + c.answers[answer] })]));
      });
      form.appendChild(set);
    });
    var send = node("button", { type: "submit", id: "self-id-send", text: S.send });
    var skip = node("button", { type: "button", "class": "secondary", id: "self-id-skip", text: S.skip });
    form.appendChild(send);
    form.appendChild(skip);
    var section = node("section", { id: "self-id", "aria-labelledby": "self-id-title" }, [
      node("h2", { id: "self-id-title", text: S.title }),
      node("p", { text: S.voluntary }),
      node("p", { text: S.who_sees }),
      form, status]);
    function finish(text) {
      form.remove();
      status.className = "ok";
      status.textContent = text;
    }
    skip.addEventListener("click", function () { finish(S.skipped); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var answers = [];
      S.order.forEach(function (category) {
        var checked = form.querySelector("input[name=\"" + category + "\"]:checked");
        if (checked) answers.push({ category: category, answer: checked.value });
      });
      send.disabled = true;
      fetch("/v1/candidate/self-identification", {
        method: "PUT",
        headers: { "Authorization": "Bearer " + secret, "Content-Type": "application/json" },
        body: JSON.stringify({ text_version: S.version, answers: answers })
      }).then(function (res) {
        if (res.ok) return finish(S.sent);
        return res.json().then(function (p) { return p.detail || String(res.status); },
          function () { return String(res.status); }).then(function (d) {
          send.disabled = false;
          status.className = "error";
          status.textContent = S.failed.split("{detail}").join(d);
        });
      }, function () {
        send.disabled = false;
        status.className = "error";
        status.textContent = S.failed.split("{detail}").join(S.network);
      });
    });
    screen.appendChild(section);
  };
})();
