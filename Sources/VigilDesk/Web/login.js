import { t, translatePage } from "./i18n.js";

function showError() {
  const params = new URLSearchParams(window.location.search);
  const box = document.getElementById("login-error");
  const error = params.get("error");
  if (!error) return;
  box.textContent = error === "wait" ? t("login.wait", { s: params.get("seconds") ?? "?" }) : t("login.wrong");
  box.hidden = false;
}

translatePage(showError);
showError();
