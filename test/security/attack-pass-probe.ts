/**
 * A raw probe for the attack pass: each attempt sends its parts to the agent's proxy
 * (127.0.0.1:3128 inside the sandbox) one after another, reads until the proxy closes or
 * goes quiet, and prints `TAG: <everything received, escaped>`. Used for pipelining, smuggling,
 * SOCKS5-by-address and oversized heads, which `proxyProbe` (one request per attempt) cannot express.
 */
export interface RawAttempt {
  tag: string;
  /** latin-1 strings sent in order, with a short pause between them (`<<PAD>>`: 256 KiB of `a`; `<<HEADERS>>`: 5000 header lines). */
  parts: string[];
}

export function rawProbe(attempts: RawAttempt[]): string {
  const data = JSON.stringify(attempts);
  return [
    'import json, socket, threading, time',
    `A = json.loads(${JSON.stringify(data)})`,
    'out = {}',
    'def go(a):',
    '    buf = b""',
    '    try:',
    '        c = socket.create_connection(("127.0.0.1", 3128), timeout=15)',
    '        for p in a["parts"]:',
    '            c.sendall(p.replace("<<PAD>>", "a" * 262144).replace("<<HEADERS>>", "X-A: b\\r\\n" * 5000).encode("latin-1"))',
    '            time.sleep(0.3)',
    '        c.settimeout(4)',
    '        while True:',
    '            d = c.recv(65536)',
    '            if not d: break',
    '            buf += d',
    '    except Exception as e:',
    '        buf += (" <" + type(e).__name__ + ">").encode()',
    '    out[a["tag"]] = buf[:600].decode("latin-1").replace("\\r", "").replace("\\n", " | ")',
    'ts = [threading.Thread(target=go, args=(a,)) for a in A]',
    '[t.start() for t in ts]',
    '[t.join() for t in ts]',
    'for a in A: print("%s: %s" % (a["tag"], out.get(a["tag"])))',
    'print("probe-done")',
  ].join('\n');
}
