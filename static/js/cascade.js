/*
 * The cascade's branches (templates/missions/partials/cascade_items.html), in the list and in
 * the map: the disclosure pattern, a button whose aria-expanded says whether the list it
 * controls is shown.
 *
 * Without this script each branch is a link to a page of its missions, and Expand all and
 * Collapse all ask the server for the page opened or closed. With it:
 * - a branch's toggle shows (and the link goes); opening it the first time loads its missions
 *   (the children page answers a request marked HX-Request with the list items alone);
 * - "N more" at the end of a long branch loads its next page in its place;
 * - Expand all replaces the tree with the one the server opened (as many levels as fit in its
 *   bounds), Collapse all closes every open branch; the status line says what happened, and
 *   the address keeps ?expand=all or not, so a reload shows the same;
 * - a map wider than its region opens on its middle, and a box whose branch opens stays in
 *   sight.
 */
(function () {
  "use strict";

  var PARTIAL = { headers: { "HX-Request": "true" }, credentials: "same-origin" };

  function fetchHtml(url) {
    return fetch(url, PARTIAL).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    });
  }

  function fragment(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    enhance(holder.content);
    return holder.content;
  }

  // Toggles show, the links that stand in for them without this script go.
  function enhance(root) {
    root.querySelectorAll("[data-cascade-toggle][hidden]").forEach(function (toggle) {
      toggle.hidden = false;
    });
    root.querySelectorAll("[data-cascade-fallback]").forEach(function (link) {
      link.remove();
    });
  }

  function branchOf(toggle) {
    return document.getElementById(toggle.getAttribute("aria-controls"));
  }

  function setOpen(toggle, isOpen) {
    toggle.setAttribute("aria-expanded", isOpen ? "true" : "false");
    branchOf(toggle).hidden = !isOpen;
  }

  // A branch opened in the map widens the row under it and moves its box: keep it in sight.
  function keepInSight(toggle) {
    toggle.scrollIntoView({ block: "nearest", inline: "center" });
  }

  // A map wider than its region opens on its middle, where the vision stands.
  function centreMap() {
    var map = document.querySelector(".cascade-map");
    if (map && map.scrollWidth > map.clientWidth) {
      map.scrollLeft = (map.scrollWidth - map.clientWidth) / 2;
    }
  }

  function say(text) {
    var status = document.getElementById("cascade-status");
    if (status) status.textContent = text;
  }

  function failed(list, url) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    item.className = "cascade__item cascade__item--error";
    item.textContent = "These missions could not be loaded. ";
    link.href = url;
    link.textContent = "Open them on a page of their own";
    item.appendChild(link);
    list.replaceChildren(item);
  }

  function toggle(button) {
    var list = branchOf(button);
    var opening = button.getAttribute("aria-expanded") !== "true";
    setOpen(button, opening);
    keepInSight(button);
    if (!opening || list.dataset.loaded || list.children.length) return;
    var loading = document.createElement("li");
    loading.className = "cascade__item cascade__item--loading";
    loading.textContent = "Loading…";
    list.replaceChildren(loading);
    list.setAttribute("aria-busy", "true");
    fetchHtml(button.dataset.url)
      .then(function (html) {
        list.replaceChildren(fragment(html));
        list.dataset.loaded = "1";
        keepInSight(button);
      })
      .catch(function () {
        failed(list, button.dataset.url);
      })
      .finally(function () {
        list.removeAttribute("aria-busy");
      });
  }

  function more(link) {
    var item = link.closest("li");
    var list = item.parentElement;
    var before = list.children.length - 1;
    link.setAttribute("aria-disabled", "true");
    fetchHtml(link.href)
      .then(function (html) {
        item.replaceWith(fragment(html));
        // Keyboard users go on from the first mission that came in.
        var first = list.children[before] && list.children[before].querySelector("a");
        if (first) first.focus();
      })
      .catch(function () {
        window.location.href = link.href;
      });
  }

  function address(params) {
    var query = params.toString();
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  function expandAll(form) {
    var params = new URLSearchParams(new FormData(form));
    params.set("expand", "all");
    var url = window.location.pathname + "?" + params.toString();
    say("Opening the branches…");
    fetchHtml(url)
      .then(function (html) {
        var fresh = fragment(html).querySelector("#cascade-tree");
        document.getElementById("cascade-tree").replaceWith(fresh);
        say(fresh.dataset.note);
        address(params);
        centreMap();
      })
      .catch(function () {
        window.location.href = url; // the server opens the page as it does without script
      });
  }

  function collapseAll() {
    var tree = document.getElementById("cascade-tree");
    tree.querySelectorAll('[data-cascade-toggle][aria-expanded="true"]').forEach(function (b) {
      setOpen(b, false);
    });
    say("Every branch is closed.");
    var params = new URLSearchParams(window.location.search);
    params.delete("expand");
    address(params);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-cascade-toggle]");
    if (button) {
      toggle(button);
      return;
    }
    var link = event.target.closest("[data-cascade-more]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      if (link.getAttribute("aria-disabled") !== "true") more(link);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-cascade-tools]");
    if (!form || !document.getElementById("cascade-tree")) return;
    event.preventDefault();
    if (event.submitter && event.submitter.value === "all") expandAll(form);
    else collapseAll();
  });

  enhance(document);
  centreMap();
})();
