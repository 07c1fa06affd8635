/*
 * Type-ahead pickers: the WAI-ARIA combobox pattern (list autocomplete) on every
 * <input role="combobox" data-pick="URL"> of the page, with its <ul role="listbox"> named by
 * aria-controls.
 *
 * Typing asks URL (with ?q=what is typed) for a fragment of <li role="option" data-value
 * data-label> suggestions. ArrowDown/ArrowUp move through them, Enter or a click chooses one,
 * Escape closes the list. The input keeps showing the choice's label; the form receives its
 * value through a hidden input that takes over the field's name. Text typed without choosing
 * is sent as typed: the server resolves an exact title or number, or says why not, exactly as
 * when this script does not run at all.
 *
 * data-pick-team="ID": the id of a select whose value is sent as ?team= (the owner team of a
 * mission being written, for its first key task's owner).
 */
(function () {
  "use strict";

  var DELAY_MS = 150;

  function setUp(input) {
    var listbox = document.getElementById(input.getAttribute("aria-controls"));
    if (!listbox || input.dataset.pickReady) return;
    input.dataset.pickReady = "1";

    // The field's value travels in a hidden input from now on; the visible one shows labels.
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = input.name;
    hidden.value = input.value;
    input.removeAttribute("name");
    input.insertAdjacentElement("afterend", hidden);

    var timer = null;
    var active = -1;
    var asked = 0; // answers that come back late, after a newer question, are dropped

    function options() {
      return Array.prototype.slice.call(listbox.querySelectorAll('[role="option"]'));
    }

    function open(isOpen) {
      listbox.hidden = !isOpen;
      input.setAttribute("aria-expanded", isOpen ? "true" : "false");
      if (!isOpen) highlight(-1);
    }

    function highlight(index) {
      var all = options();
      active = index;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
        option.classList.toggle("combobox__option--active", i === index);
      });
      if (index >= 0 && all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(option) {
      input.value = option.dataset.label;
      hidden.value = option.dataset.value;
      open(false);
    }

    function suggest() {
      var url = new URL(input.dataset.pick, window.location.href);
      url.searchParams.set("q", input.value);
      var team = input.dataset.pickTeam && document.getElementById(input.dataset.pickTeam);
      if (team) url.searchParams.set("team", team.value);
      var question = ++asked;
      fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          if (question !== asked) return;
          listbox.innerHTML = html;
          // Option ids unique on the page: several pickers may offer the same mission.
          options().forEach(function (option, i) {
            option.id = listbox.id + "-" + i;
          });
          open(listbox.children.length > 0 && document.activeElement === input);
        });
    }

    input.addEventListener("input", function () {
      hidden.value = input.value; // typed, not chosen: the server resolves it
      clearTimeout(timer);
      timer = setTimeout(suggest, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var all = options();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (listbox.hidden) {
          suggest();
          return;
        }
        if (!all.length) return;
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + all.length) % all.length);
      } else if (event.key === "Enter" && !listbox.hidden && active >= 0 && all[active]) {
        event.preventDefault(); // choosing does not send the form
        choose(all[active]);
      } else if (event.key === "Escape" && !listbox.hidden) {
        event.preventDefault();
        open(false);
      }
    });

    // mousedown, not click: it comes before the input loses focus and closes the list.
    listbox.addEventListener("mousedown", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) {
        event.preventDefault();
        choose(option);
      }
    });

    input.addEventListener("blur", function () {
      open(false);
    });
  }

  function setUpAll(root) {
    root.querySelectorAll('input[role="combobox"][data-pick]').forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAll(document);
  });
  // Content htmx swaps in may bring pickers of its own.
  document.addEventListener("htmx:load", function (event) {
    setUpAll(event.target);
  });
})();
