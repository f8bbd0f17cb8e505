// A frontend in plain JavaScript: it lists articles and shows one, with its product
// cards and tracked links, from Zhongcao's public API. Strings from the API are set
// as text; only the API's rich-text HTML (written in the Wagtail editor) is set as HTML.
"use strict";

const form = document.getElementById("api-form");
const baseInput = document.getElementById("api-base");
const list = document.getElementById("articles");
const view = document.getElementById("article");

function apiBase() {
  return (baseInput.value || window.location.origin).replace(/\/$/, "");
}

async function api(path) {
  const response = await fetch(apiBase() + "/api" + path, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || response.statusText);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function productCard(product, callToAction) {
  const image = product.image && product.image.thumbnail;
  const offers = el("ul", { class: "offers" });
  for (const offer of product.offers) {
    const price = `${offer.price} ${offer.currency}`;
    // A button only for what can be bought: the link of an offer out of stock sends
    // the reader elsewhere (offer.link.goes_to), to an offer with a button of its own.
    // Always the tracked link, always with its rel: that is how the author is credited.
    const buyable = offer.link && offer.availability === "in_stock";
    offers.append(el("li", {}, buyable
      ? el("a", { href: offer.link.url, rel: offer.link.rel, class: "buy" },
        `${callToAction || "Check price"} · ${offer.merchant} · ${price}`)
      : `${offer.merchant} · ${price}`,
      buyable ? null : el("span", { class: "muted" }, ` (${offer.availability.replace("_", " ")})`)));
  }
  return el("div", { class: "product", "data-placement": product.placement },
    image ? el("img", { src: image.url, width: image.width, height: image.height, alt: image.alt, loading: "lazy" }) : null,
    el("div", {}, el("p", {}, el("strong", {}, `${product.brand} ${product.title}`.trim())), offers));
}

function block(item) {
  const value = item.value;
  switch (item.type) {
    case "rich_text": { const div = el("div"); div.innerHTML = value.html; return div; }
    case "heading": return el(value.level, {}, value.text);
    case "image": return value.image ? el("figure", {}, el("img", { src: value.image.medium.url, alt: value.image.medium.alt, loading: "lazy" }), value.caption ? el("figcaption", {}, value.caption) : null) : null;
    case "quote": return el("blockquote", {}, value.quote, value.attribution ? el("footer", {}, "— " + value.attribution) : null);
    case "embed": return el("p", {}, el("a", { href: value.url }, value.url));
    case "product_card": return value.product ? el("aside", {}, productCard(value.product, value.call_to_action), value.note ? el("p", {}, value.note) : null) : null;
    case "product_grid": return el("section", {}, value.title ? el("h3", {}, value.title) : null, ...value.products.map((product) => productCard(product)));
    case "comparison_table": return el("section", {}, value.caption ? el("h3", {}, value.caption) : null, ...value.products.map((product) => productCard(product)));
    case "pros_cons": return el("div", {}, el("p", {}, "Pros: " + value.pros.join(", ")), el("p", {}, "Cons: " + value.cons.join(", ")));
    default: return null;
  }
}

async function showArticle(id) {
  view.replaceChildren(el("p", {}, "Loading…"));
  const article = await api(`/articles/${id}`);
  const parts = [el("h2", { lang: article.locale }, article.title), el("p", { class: "muted" }, article.summary),
    // The disclosure stands before the first tracked link.
    el("p", { class: "disclosure", role: "note" }, article.disclosure)];
  if (article.type === "review") {
    parts.push(el("p", {}, el("strong", {}, `${article.rating}/10 · ${article.verdict}`)));
    if (article.product) parts.push(productCard(article.product));
  } else {
    parts.push(el("div"));
    parts[parts.length - 1].innerHTML = article.intro;
    article.picks.forEach((pick, rank) => {
      parts.push(el("h3", {}, `${rank + 1}. ${pick.label}`), pick.product ? productCard(pick.product) : null, el("p", {}, pick.reason));
    });
  }
  for (const item of article.body) parts.push(block(item));
  view.replaceChildren(...parts.filter(Boolean));
  view.setAttribute("lang", article.locale);
}

async function showList() {
  list.replaceChildren(el("li", {}, "Loading…"));
  try {
    const page = await api("/articles?limit=20");
    list.replaceChildren(...page.items.map((item) => {
      const button = el("button", { type: "button" }, item.title);
      button.addEventListener("click", () => showArticle(item.id).catch(showError));
      return el("li", { lang: item.locale }, button, el("br"), el("span", { class: "muted" }, item.author ? item.author.name : ""));
    }));
  } catch (error) {
    showError(error);
  }
}

function showError(error) {
  view.replaceChildren(el("p", { role: "alert" }, "Could not read the API: " + error.message));
}

form.addEventListener("submit", (event) => { event.preventDefault(); showList(); });
showList();
