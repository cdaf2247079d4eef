// The queue page, live: new contacts, claims and decisions appear without a reload.
//
// Progressive enhancement only: without this script (or when the live service
// is down) the page works as it is, with its refresh link.
//
// The page marks it up (cairn/workspace/templates/workspace/triage/):
//   <section id="queue-live" data-queue-table-url="…" data-events-url="…"
//            data-live-one="Queue updated: 1 new contact"
//            data-live-other="Queue updated: {count} new contacts"
//            data-live-changed="Queue updated"
//            data-live-stopped="Live updates stopped: use Refresh to see new contacts">
//     <div id="queue-table"> … the table, rows with data-contact="<id>" … </div>
//   </section>
// data-events-url comes from cairn.live.tokens.events_url_for: the live service
// (cairn/live/) sends a server-sent event for every change to the queue, with
// no personal data. On an event this fetches the table fragment from the main
// app (same origin, with the session) and swaps it in, keeping focus where it
// was, and says what changed in a polite live region. The data-live-* texts are
// the page's translations; the English ones below are only a fallback.
// While it runs, the section's data-live says "connecting", "connected",
// "reconnecting" or "off".
(function () {
  "use strict";

  var DEBOUNCE_MS = 150; // events in a burst: one fetch
  var REOPEN_DELAYS_MS = [5000, 15000, 60000]; // after the service refused us
  var FALLBACK = {
    one: "Queue updated: 1 new contact",
    other: "Queue updated: {count} new contacts",
    changed: "Queue updated",
    stopped: "Live updates stopped: use Refresh to see new contacts"
  };

  var section = document.getElementById("queue-live");
  if (!section || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var tableUrl = section.getAttribute("data-queue-table-url");
  var eventsUrl = section.getAttribute("data-events-url");
  if (!tableUrl || !eventsUrl) {
    return;
  }

  var source = null;
  var everOpened = false;
  var lostConnection = false;
  var refusals = 0;
  var stopped = false;
  var timer = null;
  var quietPending = true; // every event since the last fetch asked for no announcement
  var inFlight = false;
  var again = false;
  var againQuietly = true;
  var changedWhileHidden = false;
  var status = liveRegion();

  function text(name, count) {
    var value = section.getAttribute("data-live-" + name) || FALLBACK[name];
    return value.replace("{count}", String(count));
  }

  function liveRegion() {
    // Made now, empty, so that later text in it is announced.
    var region = section.querySelector("[data-queue-live-status]");
    if (!region) {
      region = document.createElement("p");
      region.className = "visually-hidden";
      region.setAttribute("data-queue-live-status", "");
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      section.insertBefore(region, section.firstChild);
    }
    return region;
  }

  function announce(message, evenIfSame) {
    if (status.textContent === message && !evenIfSame) {
      return;
    }
    status.textContent = "";
    // A beat between clearing and setting, so the same words are read again.
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function setState(state) {
    section.setAttribute("data-live", state);
  }

  function table() {
    return (
      section.querySelector("[data-queue-table]") || document.getElementById("queue-table")
    );
  }

  function contactIds(root) {
    var ids = {};
    if (root) {
      var rows = root.querySelectorAll("[data-contact]");
      for (var i = 0; i < rows.length; i++) {
        ids[rows[i].getAttribute("data-contact")] = true;
      }
    }
    return ids;
  }

  // Where focus is, described so it can be found again in the new table.
  function focusPlace(root) {
    var active = document.activeElement;
    if (!root || !active || !root.contains(active) || active === root) {
      return null;
    }
    if (active.id) {
      return { id: active.id };
    }
    var row = active.closest("[data-contact]");
    var scope = row || root;
    var focusable = scope.querySelectorAll("a[href], button, input, select, textarea, [tabindex]");
    return {
      row: row ? row.getAttribute("data-contact") : null,
      index: Array.prototype.indexOf.call(focusable, active)
    };
  }

  function restoreFocus(root, place) {
    if (!place) {
      return;
    }
    var target = null;
    if (place.id) {
      target = document.getElementById(place.id);
    } else {
      var scope = place.row
        ? root.querySelector('[data-contact="' + place.row + '"]')
        : root;
      if (scope && place.index >= 0) {
        target = scope.querySelectorAll(
          "a[href], button, input, select, textarea, [tabindex]"
        )[place.index];
      }
    }
    // The row may have gone (claimed by someone else): then focus goes to the table.
    if (!target || !root.contains(target)) {
      target = root;
      if (!root.hasAttribute("tabindex")) {
        root.setAttribute("tabindex", "-1");
      }
    }
    target.focus({ preventScroll: true });
  }

  function swap(html) {
    var current = table();
    if (!current) {
      return false;
    }
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var fresh =
      parsed.querySelector("[data-queue-table]") ||
      (current.id && parsed.getElementById(current.id));
    if (!fresh) {
      return false; // not the fragment we expect (an error page): leave the table alone
    }
    var before = contactIds(current);
    var place = focusPlace(current);
    var adopted = document.importNode(fresh, true);
    current.replaceWith(adopted);
    restoreFocus(adopted, place);

    var added = 0;
    var after = contactIds(adopted);
    for (var id in after) {
      if (!before[id]) {
        added += 1;
      }
    }
    return added;
  }

  function refresh(quietly) {
    if (inFlight) {
      again = true;
      againQuietly = againQuietly && quietly;
      return;
    }
    inFlight = true;
    fetch(tableUrl, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
      cache: "no-store"
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.redirected || response.status === 401 || response.status === 403) {
          // Signed out (sent to the sign-in page) or no longer allowed: stop; the page works.
          stop();
          return;
        }
        if (!response.ok || type.indexOf("text/html") !== 0) {
          return; // a passing failure: the next event tries again
        }
        return response.text().then(function (html) {
          var added = swap(html);
          if (added === false) {
            return;
          }
          if (added > 0) {
            var plural = new Intl.PluralRules(document.documentElement.lang || "en");
            announce(text(plural.select(added) === "one" ? "one" : "other", added), true);
          } else if (!quietly) {
            announce(text("changed", 0), false);
          }
        });
      })
      .catch(function () {
        // The main app did not answer: the next event tries again.
      })
      .then(function () {
        inFlight = false;
        if (again && !stopped) {
          var quiet = againQuietly;
          again = false;
          againQuietly = true;
          refresh(quiet);
        }
      });
  }

  function soon(quietly) {
    if (document.hidden) {
      // Nobody is looking: fetch once when the page is shown again, not on every event
      // (with many handlers, every open page fetching the table at once costs the app).
      changedWhileHidden = true;
      return;
    }
    quietPending = quietPending && quietly;
    if (timer !== null) {
      return; // already coming (not pushed back: a steady stream of events must not starve it)
    }
    timer = window.setTimeout(function () {
      var quiet = quietPending;
      timer = null;
      quietPending = true;
      refresh(quiet);
    }, DEBOUNCE_MS);
  }

  function open() {
    setState(everOpened ? "reconnecting" : "connecting");
    source = new EventSource(eventsUrl);
    source.addEventListener("open", function () {
      refusals = 0;
      setState("connected");
      // Whatever changed between the page's render (or a lost connection) and now.
      if (!everOpened || lostConnection) {
        soon(true);
      }
      everOpened = true;
      lostConnection = false;
    });
    source.addEventListener("queue", function () {
      soon(false); // whatever changed: the table from the main app says what is there now
    });
    source.addEventListener("resync", function () {
      soon(true);
    });
    source.addEventListener("error", function () {
      lostConnection = true;
      if (source.readyState === EventSource.CLOSED) {
        // Refused (an expired link, the service busy): try again later, a few times.
        source.close();
        if (refusals < REOPEN_DELAYS_MS.length && !stopped) {
          setState("reconnecting");
          window.setTimeout(open, REOPEN_DELAYS_MS[refusals]);
          refusals += 1;
        } else {
          stop();
        }
      } else {
        setState("reconnecting"); // the browser reconnects by itself
      }
    });
  }

  function stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (source) {
      source.close();
    }
    setState("off");
    announce(text("stopped", 0), false);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && changedWhileHidden && !stopped) {
      changedWhileHidden = false;
      soon(false);
    }
  });
  window.addEventListener("pagehide", function () {
    if (source) {
      source.close();
      lostConnection = true;
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && !stopped) {
      open(); // back from the back-forward cache
    }
  });

  open();
})();
