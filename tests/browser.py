"""What every real-browser test shares: Debian's Chromium (never a downloaded browser) and the flags this machine
needs (its closed network refuses Chromium's background connections), and a stand-in WebSocket whose closes a test
decides."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Installed with page.add_init_script(FAKE_WEBSOCKET): window.__sockets[i].serverClose(code) closes a socket as a
# server would, so a test can check what a page does after each close code.
FAKE_WEBSOCKET = """
window.__sockets = [];
class FakeWebSocket {
  constructor(url) {
    this.url = url; this.readyState = 0; window.__sockets.push(this);
    setTimeout(() => { this.readyState = 1; if (this.onopen) this.onopen({}); }, 0);
  }
  send() {}
  close() {}
  serverClose(code) { this.readyState = 3; if (this.onclose) this.onclose({ code: code, wasClean: code !== 1006 }); }
}
FakeWebSocket.CONNECTING = 0; FakeWebSocket.OPEN = 1; FakeWebSocket.CLOSING = 2; FakeWebSocket.CLOSED = 3;
window.WebSocket = FakeWebSocket;
"""
