#!/usr/bin/env python3
"""Start-up benchmark of the server in JVM mode (run it with bench/startup.sh).

For each configuration, alternating, RUNS times: launch the server on a free loopback port with an empty private
store (no model, no preload, no toy), poll GET / every 2 ms until the first 200 (time from process launch), let it
idle IDLE seconds, read its resident set (VmRSS of the server process; no runner exists without a model), stop
it. Also reports the CPU time (user + system) the server used until that first answer: on a busy machine wall
time mostly measures the wait for a core, CPU time much less so. Prints every run and the medians. Not a test:
figures depend on the machine and its load.
"""
import os, socket, statistics, subprocess, sys, tempfile, time, shutil

app, aot, lean = sys.argv[1], sys.argv[2], sys.argv[3].split()
runs = int(os.environ.get("RUNS", "5"))
idle = float(os.environ.get("IDLE", "5"))
configs = [
    ("plain", []),
    ("lean", lean),
    ("aot+lean", lean + ["-XX:AOTCache=" + aot]),
]

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def get_root(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
            c.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return c.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

def cpu_ms(pid):
    # utime + stime of the server process and its reaped children (fields 14-17 of /proc/pid/stat), in ms
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) * 1000 / os.sysconf("SC_CLK_TCK")

def one(opts):
    work = tempfile.mkdtemp(prefix="quokka-bench-")
    port = free_port()
    env = dict(os.environ, OLLAMA_HOST=f"127.0.0.1:{port}", OLLAMA_MODELS=f"{work}/models",
               QUOKKA_PRELOAD_FILE=f"{work}/none", QUOKKA_ALIASES_FILE=f"{work}/none",
               QUOKKA_WORK_DIR=f"{work}/work", QUOKKA_TOY_DEFAULT="false")
    env.pop("OLLAMA_PRELOAD_MODELS", None)
    start = time.monotonic()
    p = subprocess.Popen(["java", *opts, "-jar", app, "serve"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not get_root(port):
            if p.poll() is not None:
                raise SystemExit(f"server exited with {p.returncode} ({opts})")
            if time.monotonic() - start > 60:
                raise SystemExit("no answer within 60 s")
            time.sleep(0.002)
        first = (time.monotonic() - start) * 1000
        cpu = cpu_ms(p.pid)
        time.sleep(idle)
        rss = rss_kib(p.pid) / 1024
        return first, rss, cpu
    finally:
        p.terminate()
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
        shutil.rmtree(work, ignore_errors=True)

results = {name: [] for name, _ in configs}
for i in range(runs):
    for name, opts in configs:
        first, rss, cpu = one(opts)
        results[name].append((first, rss, cpu))
        print(f"run {i + 1} {name:9} first GET / {first:7.0f} ms (CPU {cpu:6.0f} ms)   idle RSS {rss:6.1f} MB", flush=True)

print(f"\nmedians of {runs} (idle {idle:g} s), java {os.popen('java -version 2>&1').readline().strip()}, "
      f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
print(f"{'':9}  {'first GET /':>12}  {'CPU until then':>14}  {'idle RSS':>9}")
for name, _ in configs:
    r = results[name]
    print(f"{name:9}  {statistics.median(x[0] for x in r):9.0f} ms  {statistics.median(x[2] for x in r):11.0f} ms"
          f"  {statistics.median(x[1] for x in r):6.1f} MB")
print("lean flags:", " ".join(lean))
