// The desk shell: who is logged in, the live connection, and the page for the address's #fragment.
import { me } from "./api.js";
import { translatePage, t } from "./i18n.js";
import { showFeed, entryArrived } from "./feed.js";
import { showEntry } from "./entry.js";
import { showPost, showAmend } from "./post.js";
import { showCommTests, showCommTest, commTestEntryArrived } from "./commtest.js";
import { showFederation, listenForFederation } from "./federation.js";
import { showReply, showFollowUp } from "./followup.js";
import { showIncidents, incidentEntryArrived } from "./incidents.js";
import { showMap, mapEntryArrived } from "./map.js";
import { showCAP } from "./cap.js";

const view = document.getElementById("view");

function route() {
  const hash = window.location.hash || "#feed";
  if (hash.startsWith("#entry/")) showEntry(view, decodeURIComponent(hash.slice(7)));
  else if (hash === "#post" || hash.startsWith("#post/")) showPost(view, decodeURIComponent(hash.slice(6)));
  else if (hash.startsWith("#amend/")) showAmend(view, decodeURIComponent(hash.slice(7)));
  else if (hash === "#commtests") showCommTests(view);
  else if (hash.startsWith("#commtest/")) showCommTest(view, decodeURIComponent(hash.slice(10)));
  else if (hash === "#federation") showFederation(view);
  else if (hash.startsWith("#reply/")) showReply(view, decodeURIComponent(hash.slice(7)));
  else if (hash.startsWith("#followup/")) showFollowUp(view, decodeURIComponent(hash.slice(10)));
  else if (hash.startsWith("#incident")) showIncidents(view, hash);
  else if (hash === "#map") showMap(view);
  else if (hash === "#cap") showCAP(view);
  else showFeed(view);
}

function live() {
  const badge = document.getElementById("live");
  // data-text too, so a change of language (translatePage) translates the badge as well.
  const set = (state) => { badge.dataset.state = state; badge.dataset.text = "live." + state; badge.textContent = t("live." + state); };
  set("connecting");
  const source = new EventSource("/api/events");
  source.onopen = () => set("open");
  source.onerror = () => set(source.readyState === EventSource.CLOSED ? "closed" : "connecting");
  source.addEventListener("entry", (event) => {
    const entry = JSON.parse(event.data);
    entryArrived(entry);
    commTestEntryArrived(entry);
    incidentEntryArrived(entry);
    mapEntryArrived(entry);
  });
  listenForFederation(source);
}

async function start() {
  const who = await me();
  document.getElementById("officer").textContent = who.officer;
  document.getElementById("node").textContent = who.node.name + " · " + who.node.organisation;
  document.getElementById("logout-csrf").value = who.csrfToken;
  translatePage(route);
  window.addEventListener("hashchange", route);
  route();
  live();
}

start();
