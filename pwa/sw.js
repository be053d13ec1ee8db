// The bridge from the classic service worker this address used to hold to the module worker at
// /worker.js. A phone that installed the old app keeps checking /sw.js for updates as a classic
// script (its cached app registered it so), and a module here would fail to load there and leave it
// on the old app for good. So this stays classic and only hands over: it takes over at once, drops
// the old shell caches, and reopens the open windows from the network; their app then registers
// /worker.js, which replaces this registration (a new script address for the same scope).
// No fetch handler: while it is in charge, every file comes from the network, never a stale cache.
const bridge = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

bridge.addEventListener('install', () => bridge.skipWaiting());

bridge.addEventListener('activate', (event) => {
  const handedOver = caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('bc-shell-')).map((k) => caches.delete(k))))
    .then(() => bridge.clients.claim());
  event.waitUntil(handedOver);
  // To the start page, as a launch would: a window's url is where it was opened (/login, say), not where the app
  // has since gone. Not waited for: a navigation waits for this worker to finish activating.
  handedOver
    .then(() => bridge.clients.matchAll({ type: 'window' }))
    .then((windows) => windows.forEach((client) => client.navigate('/').catch(() => {})));
});
