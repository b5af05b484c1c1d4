// The map (#map): the shapes of alerts (CAP polygons and circles), situation reports and incidents
// (their location) over an offline base map (basemap.json: Natural Earth outlines, Scripts/basemap),
// drawn as SVG by this module. Filters by kind and time like the feed; a click on a shape opens its entry;
// entries that arrive live are drawn at once. Every text from an entry goes in with textContent.
import { get } from "./api.js";
import { el, clear, tlpLabel, when } from "./dom.js";
import { t, language } from "./i18n.js";
import { sinceSelect, filtersOf } from "./feed.js";

const svgNS = "http://www.w3.org/2000/svg";
const kinds = ["alert", "sitrep", "incident"];
let basemap = null;
let filters = {};
let mapView = null;
let reloading = null;

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(svgNS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name === "class") node.setAttribute("class", value);
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) if (child) node.append(child);
  return node;
}

/** Equirectangular, with longitudes shortened by the cosine of the middle latitude: true shapes near it. */
function projection(bounds) {
  const k = Math.cos(((bounds.south + bounds.north) / 2) * Math.PI / 180);
  return {
    k,
    x: (lon) => (lon - bounds.west) * k,
    y: (lat) => bounds.north - lat,
    width: (bounds.east - bounds.west) * k,
    height: bounds.north - bounds.south,
  };
}

function extend(box, lon, lat) {
  box.west = Math.min(box.west, lon); box.east = Math.max(box.east, lon);
  box.south = Math.min(box.south, lat); box.north = Math.max(box.north, lat);
}

function featureBox(f) {
  const box = { west: Infinity, east: -Infinity, south: Infinity, north: -Infinity };
  for (const p of f.points) extend(box, p.lon, p.lat);
  for (const ring of f.polygons) for (const p of ring) extend(box, p.lon, p.lat);
  for (const c of f.circles) {
    const dLat = c.radiusMetres / 111320, dLon = dLat / Math.max(0.05, Math.cos(c.lat * Math.PI / 180));
    extend(box, c.lon - dLon, c.lat - dLat); extend(box, c.lon + dLon, c.lat + dLat);
  }
  return box;
}

/** The base map's extent: a shape outside it (an imported alert for another continent) is listed, not fitted. */
function onBaseMap(box) {
  const area = { west: Infinity, east: -Infinity, south: Infinity, north: -Infinity };
  for (const c of basemap.countries) for (const ring of c.rings) for (const [lon, lat] of ring) extend(area, lon, lat);
  return box.east >= area.west && box.west <= area.east && box.north >= area.south && box.south <= area.north;
}

/** Belgium and every shape on the base map, with a margin: the map always shows Belgium. */
function fit(features) {
  const box = { west: Infinity, east: -Infinity, south: Infinity, north: -Infinity };
  for (const ring of basemap.countries.find((c) => c.code === "BEL").rings) for (const [lon, lat] of ring) extend(box, lon, lat);
  for (const f of features) {
    const b = featureBox(f);
    extend(box, b.west, b.south); extend(box, b.east, b.north);
  }
  const padLon = Math.max(0.3, (box.east - box.west) * 0.15), padLat = Math.max(0.2, (box.north - box.south) * 0.15);
  return { west: box.west - padLon, east: box.east + padLon, south: box.south - padLat, north: box.north + padLat };
}

function ringPath(p, ring, point) {
  return ring.map((c, i) => (i ? "L" : "M") + p.x(point(c)[0]).toFixed(4) + " " + p.y(point(c)[1]).toFixed(4)).join("") + "Z";
}

function baseLayer(p) {
  const lonLat = (c) => c;
  const outline = (f, cls) => svg("path", { class: cls, "data-code": f.code, d: f.rings.map((r) => ringPath(p, r, lonLat)).join("") });
  return svg("g", { class: "basemap" },
    basemap.countries.map((c) => outline(c, "country" + (c.code === "BEL" ? " home" : ""))),
    basemap.subdivisions.map((s) => outline(s, "subdivision")));
}

function featureShape(p, f, unit) {
  const point = (c) => [c.lon, c.lat];
  const open = () => { window.location.hash = "#entry/" + encodeURIComponent(f.entry.id); };
  const group = svg("g", {
    class: "feature kind-" + f.entry.kind + " tlp-" + f.entry.tlp + (f.entry.retracted ? " retracted" : ""),
    "data-id": f.entry.id, tabindex: "0", role: "link",
    onclick: open, onkeydown: (event) => { if (event.key === "Enter") open(); },
  }, svg("title", { text: f.entry.kind + " · " + f.entry.title }));
  for (const ring of f.polygons) group.append(svg("path", { class: "shape polygon", d: ringPath(p, ring, point) }));
  for (const c of f.circles) {
    const r = c.radiusMetres / 111320;
    group.append(svg("circle", { class: "shape circle" + (r < unit ? " dot" : ""), cx: p.x(c.lon), cy: p.y(c.lat), r: Math.max(r, unit) }));
  }
  for (const c of f.points) group.append(svg("circle", { class: "shape point", cx: p.x(c.lon), cy: p.y(c.lat), r: unit }));
  return group;
}

function draw(page) {
  const holder = mapView.querySelector("#map-holder");
  const list = mapView.querySelector("#map-list");
  clear(holder);
  clear(list);
  const outside = new Set(page.features.filter((f) => !onBaseMap(featureBox(f))).map((f) => f.entry.id));
  const p = projection(fit(page.features.filter((f) => !outside.has(f.entry.id))));
  const unit = p.height / 90;
  // Polygons first, so that circles and points stay on top and clickable.
  const ordered = [...page.features].sort((a, b) => (b.polygons.length > 0) - (a.polygons.length > 0));
  holder.append(svg("svg", {
    id: "map", viewBox: `0 0 ${p.width.toFixed(4)} ${p.height.toFixed(4)}`, preserveAspectRatio: "xMidYMid meet",
    role: "img", "aria-label": t("map.aria"),
  }, svg("rect", { class: "sea", x: 0, y: 0, width: p.width, height: p.height }), baseLayer(p),
  svg("g", { class: "features" }, ordered.map((f) => featureShape(p, f, unit)))));
  if (page.features.length === 0) list.append(el("li", { class: "empty", text: t("map.empty") }));
  for (const f of page.features) {
    list.append(el("li", { "data-id": f.entry.id },
      el("span", { class: "time", text: when(f.entry.createdMilliseconds, language()) }), " ", tlpLabel(f.entry.tlp), " ",
      el("span", { class: "kind", text: f.entry.kind }), " ",
      el("a", { href: "#entry/" + encodeURIComponent(f.entry.id), text: f.entry.title }),
      outside.has(f.entry.id) ? el("span", { class: "quiet outside", text: " — " + t("map.outside") }) : null));
  }
}

async function load() {
  if (!basemap) {
    const response = await fetch("/static/basemap.json", { credentials: "same-origin" });
    basemap = await response.json();
  }
  const query = { ...filters };
  delete query.window;
  draw(await get("map", query));
}

/** A live entry: when the map is open and the entry is of a kind it draws, the map is drawn again. */
export function mapEntryArrived(entry) {
  if (!mapView || !document.body.contains(mapView) || !kinds.includes(entry.kind)) return;
  if (filters.kind && filters.kind !== entry.kind) return;
  // Several arrivals at once are drawn once.
  if (reloading) return;
  reloading = Promise.resolve().then(load).finally(() => { reloading = null; });
}

/** Draws the map page into `view`. */
export async function showMap(view) {
  clear(view);
  const form = el("form", { class: "filters", id: "map-filters" },
    el("label", {}, t("feed.kind") + " ", el("select", { name: "kind" },
      el("option", { value: "", text: t("map.allKinds") }), kinds.map((k) => el("option", { value: k, text: t("map.kind." + k) })))),
    sinceSelect(),
    el("button", { type: "submit", text: t("feed.apply") }));
  for (const [name, value] of Object.entries(filters)) if (form.elements[name]) form.elements[name].value = value;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    filters = filtersOf(form);
    load();
  });
  mapView = el("div", { class: "map-page" },
    el("h1", { text: t("map.title") }), form,
    el("div", { id: "map-holder", class: "map-holder" }),
    el("p", { class: "quiet attribution", text: t("map.attribution") }),
    el("h2", { text: t("map.listTitle") }), el("ul", { id: "map-list", class: "map-list" }));
  view.append(mapView);
  await load();
}
