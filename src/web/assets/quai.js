/* quai web UI: live job logs (Server-Sent Events), ANSI colours and
   sections for live lines, and search in the log. Everything else works
   without this file. */
"use strict";
(function () {
  var log = document.getElementById("log");
  if (!log) return;

  /* --- ANSI SGR to DOM (text only through textContent: never HTML) --- */
  var st = { fg: -1, bg: -1, bo: false, it: false, ul: false };
  function reset() { st = { fg: -1, bg: -1, bo: false, it: false, ul: false }; }
  function sgr(params) {
    if (params.length === 0) params = [0];
    for (var i = 0; i < params.length; i++) {
      var v = params[i];
      if (v === 0) reset();
      else if (v === 1) st.bo = true; else if (v === 3) st.it = true; else if (v === 4) st.ul = true;
      else if (v === 22) st.bo = false; else if (v === 23) st.it = false; else if (v === 24) st.ul = false;
      else if (v >= 30 && v <= 37) st.fg = v - 30; else if (v >= 90 && v <= 97) st.fg = v - 82;
      else if (v === 39) st.fg = -1;
      else if (v >= 40 && v <= 47) st.bg = v - 40; else if (v >= 100 && v <= 107) st.bg = v - 92;
      else if (v === 49) st.bg = -1;
      else if ((v === 38 || v === 48) && params[i + 1] === 5) {
        var c = params[i + 2];
        if (c >= 0 && c < 16) { if (v === 38) st.fg = c; else st.bg = c; }
        i += 2;
      } else if ((v === 38 || v === 48) && params[i + 1] === 2) i += 4;
    }
  }
  function cls() {
    var c = [];
    if (st.fg >= 0) c.push("f" + st.fg);
    if (st.bg >= 0) c.push("b" + st.bg);
    if (st.bo) c.push("bo"); if (st.it) c.push("it"); if (st.ul) c.push("ul");
    return c.join(" ");
  }
  function render(text, into) {
    text = text.replace(/\r+$/, "");
    var cr = text.lastIndexOf("\r");
    if (cr >= 0) text = text.slice(cr + 1);
    var re = /\x1b\[([0-9;?]*)([A-Za-z])|\x1b./g, last = 0, m;
    function emit(s) {
      if (!s) return;
      var c = cls();
      if (c) { var sp = document.createElement("span"); sp.className = c; sp.textContent = s; into.appendChild(sp); }
      else into.appendChild(document.createTextNode(s));
    }
    while ((m = re.exec(text)) !== null) {
      emit(text.slice(last, m.index));
      if (m[2] === "m") sgr(m[1] === "" ? [] : m[1].split(";").map(function (x) { return parseInt(x || "0", 10); }));
      last = re.lastIndex;
    }
    emit(text.slice(last));
  }

  /* --- appending lines, sections, following the end --- */
  var count = parseInt(log.getAttribute("data-lines"), 10) || 0;
  var container = log, stack = [];
  var follow = true;
  log.addEventListener("scroll", function () {
    follow = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
  });
  function lineLink(no) {
    var a = document.createElement("a");
    a.className = "ln"; a.tabIndex = -1; a.href = "#L" + no; a.textContent = String(no);
    return a;
  }
  function addLine(text) {
    count++;
    var m = /section_(start|end):(\d+):([A-Za-z0-9_.-]+)(\[[^\]]*\])?\r?(\x1b\[0K)?(.*)$/.exec(text);
    if (m && m[1] === "end") {
      if (stack.length) container = stack.pop();
      return;
    }
    if (m && m[1] === "start") {
      var d = document.createElement("details");
      d.className = "sec";
      if (!(m[4] && m[4].indexOf("collapsed=true") >= 0)) d.open = true;
      var s = document.createElement("summary");
      s.id = "L" + count;
      s.appendChild(lineLink(count));
      render(m[6], s);
      var body = document.createElement("div");
      d.appendChild(s); d.appendChild(body);
      container.appendChild(d);
      stack.push(container);
      container = body;
      return;
    }
    var div = document.createElement("div");
    div.className = "l"; div.id = "L" + count;
    var t = new Date();
    div.title = t.toISOString();
    div.appendChild(lineLink(count));
    var span = document.createElement("span");
    render(text, span);
    div.appendChild(span);
    container.appendChild(div);
  }

  if (log.getAttribute("data-live") === "1" && window.EventSource) {
    var job = log.getAttribute("data-job");
    var skip = count, seen = 0;
    count = count; /* lines already on the page are skipped below */
    var es = new EventSource("/jobs/" + job + "/log?follow=1");
    es.onmessage = function (e) {
      seen++;
      if (seen <= skip) return;
      addLine(e.data);
      if (follow) log.scrollTop = log.scrollHeight;
    };
    es.addEventListener("end", function () {
      es.close();
      var s = document.getElementById("livestate");
      if (s) s.textContent = "The job has finished: reload for its status.";
    });
    log.scrollTop = log.scrollHeight;
  } else if (!location.hash) {
    log.scrollTop = log.scrollHeight;
  }

  /* --- search: marks matching lines, Enter goes to the next one --- */
  var input = document.getElementById("logsearch"), hits = [], at = -1;
  if (input) {
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      hits.forEach(function (h) { h.classList.remove("hit"); });
      hits = [];
      at = -1;
      if (!q) return;
      log.querySelectorAll(".l, summary").forEach(function (l) {
        if (l.textContent.toLowerCase().indexOf(q) >= 0) { l.classList.add("hit"); hits.push(l); }
      });
    });
    input.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || !hits.length) return;
      e.preventDefault();
      at = (at + 1) % hits.length;
      var d = hits[at].closest("details");
      if (d) d.open = true;
      hits[at].scrollIntoView({ block: "center" });
      follow = false;
    });
  }
})();
