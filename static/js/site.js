// Copy buttons: <button data-copy-target="input-id" data-copied-label="Copied!">.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copyTarget);
  input.select();
  navigator.clipboard.writeText(input.value).then(() => {
    button.textContent = button.dataset.copiedLabel;
  });
});

// A form sent back with errors: its error summary is read out first.
document.getElementById("form-errors")?.focus();

// Share buttons (templates/events/_share.html): the device's share sheet when there is one.
for (const button of document.querySelectorAll("[data-share-url]")) {
  if (!navigator.share) continue;
  button.closest("[hidden]").hidden = false;
  button.addEventListener("click", () => {
    navigator.share({ title: button.dataset.shareTitle, url: button.dataset.shareUrl }).catch(() => {});
  });
}

// Times of online events, also in the visitor's own time zone when it differs
// from the event's. Done here, not on the server, so that pages stay cacheable.
for (const slot of document.querySelectorAll("[data-visitor-time]")) {
  const moment = new Date(slot.dataset.visitorTime);
  const options = {
    weekday: "short", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
  };
  const language = document.documentElement.lang;
  const inEventZone = new Intl.DateTimeFormat(language, { ...options, timeZone: slot.dataset.timeZone });
  const inVisitorZone = new Intl.DateTimeFormat(language, options);
  if (inVisitorZone.format(moment) !== inEventZone.format(moment)) {
    const time = slot.querySelector("time");
    time.dateTime = moment.toISOString();
    time.textContent = new Intl.DateTimeFormat(language, { ...options, timeZoneName: "short" }).format(moment);
    slot.hidden = false;
  }
}
