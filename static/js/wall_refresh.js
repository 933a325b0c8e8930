// A ward's wall board is a screen nobody touches: it reloads itself every data-refresh-seconds. (Without
// scripts a <noscript> meta refresh does the same.)
const seconds = Number(document.body.dataset.refreshSeconds);
if (seconds > 0) {
  window.setTimeout(() => window.location.reload(), seconds * 1000);
}
