/*
 * A form in steps: <form data-steps> whose parts are <div data-step id="…">, listed (in the
 * same order) by the links of a <nav class="mission-steps"> that point at their ids.
 *
 * Without this script every step shows on one page, the list links to each and Save sends
 * them all. With it, one step shows at a time: Next and Back (buttons data-step-next and
 * data-step-back, hidden until now) move between them, a link of the list opens its step, and
 * the list marks the open one aria-current="step". Enter in a one-line field of a step that is
 * not the last one goes to the next step instead of sending the form. Every step stays in the
 * form (only hidden), so Save always sends everything, and the server alone judges it: after a
 * refused save, the first step with an error opens, its list entry saying it needs correcting.
 */
(function () {
  "use strict";

  var ERROR = ".field--error, .errorlist, .alert--error";

  function setUp(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
    var nav = document.querySelector("nav.mission-steps");
    var back = form.querySelector("[data-step-back]");
    var next = form.querySelector("[data-step-next]");
    var save = form.querySelector("[data-step-save]");
    if (steps.length < 2 || !nav || !back || !next || !save) return;
    var links = steps.map(function (step) {
      return nav.querySelector('a[href="#' + step.id + '"]');
    });
    var current = 0;

    function show(index, moveFocus) {
      current = index;
      steps.forEach(function (step, i) {
        step.hidden = i !== index;
      });
      links.forEach(function (link, i) {
        if (!link) return;
        if (i === index) link.setAttribute("aria-current", "step");
        else link.removeAttribute("aria-current");
      });
      var last = index === steps.length - 1;
      back.hidden = index === 0;
      next.hidden = last;
      // Saving is open on every step (what follows is optional or kept as it is), but Next
      // leads until the last one.
      save.classList.toggle("button--secondary", !last);
      if (moveFocus) {
        var first = steps[index].querySelector("input:not([type=hidden]), select, textarea");
        if (first) first.focus();
      }
    }

    // A step with an error says so in the list, in words as well as in colour.
    steps.forEach(function (step, i) {
      if (links[i] && step.querySelector(ERROR)) {
        links[i].classList.add("mission-steps__link--error");
        var note = document.createElement("span");
        note.className = "mission-steps__note";
        note.textContent = " (needs correcting)";
        (links[i].querySelector("span") || links[i]).appendChild(note);
      }
    });

    next.hidden = false;
    next.addEventListener("click", function () {
      show(Math.min(current + 1, steps.length - 1), true);
    });
    back.addEventListener("click", function () {
      show(Math.max(current - 1, 0), true);
    });
    links.forEach(function (link, i) {
      if (!link) return;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        show(i, true);
      });
    });

    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "Enter" || event.defaultPrevented || current === steps.length - 1) return;
      if (target.tagName !== "INPUT" || /^(submit|button|checkbox|radio)$/.test(target.type)) return;
      event.preventDefault();
      show(current + 1, true);
    });

    var withError = steps.findIndex(function (step) {
      return step.querySelector(ERROR) !== null;
    });
    show(withError < 0 ? 0 : withError, false);
    form.classList.add("form--stepped");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-steps]").forEach(setUp);
  });
})();
