"""attnbench's torch worker: executes programs traced from a variant's forward (program.ts).

The harness (session.ts) starts it as `python worker.py --serve DEVICE THREADS` and speaks JSON
lines over stdio: each request is one JSON line, followed by `bytes` raw bytes when it says so;
each answer likewise. `python worker.py --probe` prints one JSON line about torch here and exits:
the probe runs in a process of its own, so the harness never initialises CUDA itself.

Requests: prepare (program, dtype; payload: input then tensors, float32) -> handle;
run -> output as float32 bytes; time (count) -> raw samples, ms, timed on the device's clock;
memory -> peak bytes of one pass beyond weights and input; dispose.
"""
import json
import os
import sys
import time

try:
    import torch
    import torch.nn.functional as F
    IMPORT_ERROR = None
except Exception as e:  # the probe reports it; serving needs torch
    IMPORT_ERROR = f"{type(e).__name__}: {e}"


def has_sdpa():
    return hasattr(F, "scaled_dot_product_attention")


def probe():
    if IMPORT_ERROR:
        return {"ok": False, "reason": IMPORT_ERROR}
    out = {"ok": True, "version": torch.__version__, "sdpa": has_sdpa(), "sdpaBackends": sdpa_backends(),
           "threads": torch.get_num_threads(),
           "dtypes": {"cpu": dtype_reasons("cpu")}}
    if not torch.cuda.is_available():
        built = torch.version.cuda
        out["cuda"] = {"ok": False, "reason": "torch.cuda.is_available() is false"
                       + (f" (torch built for CUDA {built})" if built else f" (torch {torch.__version__} built without CUDA)")}
    else:
        p = torch.cuda.get_device_properties(0)
        out["cuda"] = {"ok": True, "name": p.name, "memoryBytes": p.total_memory, "cudaVersion": torch.version.cuda}
        out["dtypes"]["cuda"] = dtype_reasons("cuda")
    return out


HALF_DTYPES = ["bfloat16", "float16"]


def dtype_reasons(device):
    """{dtype: None where every kind of op a program uses runs on `device` in it, else why not (one line)}:
    probed on small tensors, not assumed (Debian's torch 1.13 has bfloat16 CPU kernels but no float16 ones)."""
    out = {}
    for name in HALF_DTYPES:
        try:
            x = torch.ones(2, 4, 8, dtype=getattr(torch, name), device=device)
            w = torch.ones(8, 8, dtype=x.dtype, device=device)
            s = torch.softmax(torch.matmul(F.linear(x, w, w[0]), x.transpose(-1, -2)), -1)
            torch.maximum(torch.exp(s - torch.amax(s, -1, keepdim=True)), s).sum(-1)
            out[name] = None
        except Exception as e:
            out[name] = f"{type(e).__name__}: {e}".splitlines()[0]
    return out


def pad_args(paddings):
    flat = []
    for before, after in reversed(paddings):
        flat += [before, after]
    return flat


# SDPA's kernels by attnbench's names, as torch.nn.attention.SDPBackend names them (torch >= 2.3).
SDPA_KINDS = {"flash": "FLASH_ATTENTION", "efficient": "EFFICIENT_ATTENTION", "cudnn": "CUDNN_ATTENTION", "math": "MATH"}
# torch._fused_sdp_choice's answer: the sdp::SDPBackend enum of aten/src/ATen/native/transformers/sdp_utils_cpp.h.
SDPA_CHOICE = {0: "math", 1: "flash", 2: "efficient", 3: "cudnn", 4: "overrideable"}


def sdpa_backends():
    """The SDPA kernels this torch can be asked for by name; [] without SDPA (torch < 2.0)."""
    if not has_sdpa():
        return []
    try:
        from torch.nn.attention import SDPBackend
        return [name for name, kind in SDPA_KINDS.items() if hasattr(SDPBackend, kind)]
    except ImportError:  # torch 2.0-2.2: torch.backends.cuda.sdp_kernel's three
        return ["flash", "efficient", "math"]


def split_heads(t, heads):
    b, n, d = t.shape
    return t.reshape(b, n, heads, d // heads).transpose(1, 2)


def sdpa(q, k, v, heads, causal, backend, ran=None):
    """SDPA over `heads` heads, only `backend` enabled (None: torch chooses). `ran`, when given, is called once
    with the kernel torch's dispatcher picks under the same setting (torch._fused_sdp_choice, which
    F.scaled_dot_product_attention itself consults), or why torch did not say."""
    b, n, d = q.shape
    qs, ks, vs = (split_heads(t, heads) for t in (q, k, v))
    with sdpa_backend(backend):
        if ran is not None:
            ran(sdpa_choice(qs, ks, vs, causal))
        o = F.scaled_dot_product_attention(qs, ks, vs, is_causal=causal)
    return o.transpose(1, 2).reshape(b, n, d)


def sdpa_choice(q, k, v, causal):
    try:
        choice = int(torch._fused_sdp_choice(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=causal))
        return SDPA_CHOICE.get(choice, f"unknown kernel {choice}")
    except Exception as e:
        return f"not reported by torch {torch.__version__} ({type(e).__name__}: {e})".splitlines()[0]


def sdpa_backend(name):
    """Only `name` enabled (None: torch chooses), through whichever API this torch has."""
    import contextlib
    if name is None:
        return contextlib.nullcontext()
    try:
        from torch.nn.attention import SDPBackend, sdpa_kernel
        return sdpa_kernel([getattr(SDPBackend, SDPA_KINDS[name])])
    except ImportError:
        flags = {k: k == name for k in ["flash", "efficient", "math"]}
        return torch.backends.cuda.sdp_kernel(enable_flash=flags["flash"], enable_mem_efficient=flags["efficient"],
                                              enable_math=flags["math"])


def kernel(node, ctx):
    """The torch function of one program node (program.ts: programOps)."""
    op, a = node["op"], node.get("a", {})
    if op == "matmul":
        ta, tb, s = a["ta"], a["tb"], a.get("s")
        mm = lambda x, y: torch.matmul(x.transpose(-1, -2) if ta else x, y.transpose(-1, -2) if tb else y)
        if s is None:
            return mm
        # scale(x·y) as (s·x)·y or x·(s·y), whichever operand is smaller: Q·Kᵀ/√E scales Q, not the N×N scores
        return lambda x, y: mm(x * s, y) if x.numel() <= y.numel() else mm(x, y * s)
    if op == "linear":
        tb = a["tb"]
        return lambda x, w, b: F.linear(x, w if tb else w.t(), b)
    if op in ("add", "mul", "sub", "div", "maximum"):
        return getattr(torch, op)
    if op == "exp":
        return torch.exp
    if op == "amax":
        return lambda x: torch.amax(x, -1, keepdim=True)
    if op == "sum":
        return lambda x: torch.sum(x, -1, keepdim=True)
    if op == "scale":
        s = a["s"]
        return lambda x: x * s
    if op == "softmax":
        if a.get("inplace"):  # over scores no other node reads: no second N×N buffer (fused() marks it)
            # Only over a contiguous tensor: over a strided one (the sum of permuted scores and a mask)
            # torch 1.13's softmax written into its own input computes wrong values.
            return lambda x: torch._softmax(x, -1, False, out=x) if x.is_contiguous() else torch.softmax(x, -1)
        return lambda x: torch.softmax(x, -1)
    if op == "reshape":
        shape = a["shape"]
        return lambda x: x.reshape(shape)
    if op == "permute":
        perm = a["perm"]
        return lambda x: x.permute(perm)
    if op == "narrow":
        start, length = a["start"], a["length"]
        return lambda x: x.narrow(-1, start, length)
    if op == "slice":
        index = tuple(slice(b, b + s) for b, s in zip(a["begin"], a["size"]))
        return lambda x: x[index]
    if op == "cat":
        axis = a["axis"]
        return lambda *xs: torch.cat(xs, axis)
    if op == "index_select":
        axis, indices, on = a["axis"], a["indices"], {}
        # The index tensor is built once, on the device of the first input it meets.
        def select(x):
            if x.device not in on:
                on[x.device] = torch.tensor(indices, dtype=torch.long, device=x.device)
            return torch.index_select(x, axis, on[x.device])
        return select
    if op == "pad":
        p = pad_args(a["paddings"])
        return lambda x: F.pad(x, p)
    if op == "sdpa":
        heads, causal, backend, ran = a["heads"], a["causal"], a.get("backend"), ctx.setdefault("attention", {})
        record = lambda name: ran.setdefault(node["out"], name)
        return lambda q, k, v: sdpa(q, k, v, heads, causal, backend, None if node["out"] in ran else record)
    if op == "module":
        ran = ctx.setdefault("attention", {})
        return attention_module(a["module"], a["heads"], a["causal"], lambda name: ran.setdefault(node["out"], name))
    raise ValueError(f"unknown op {op}")


# Ops whose result is a tensor of its own (never a view of an operand), which a later op may overwrite.
FRESH = {"matmul", "linear", "add", "sub", "mul", "div", "maximum", "exp", "scale"}


def fused(program):
    """The program's nodes with three rewrites torch gains from, the same math: a matmul whose only use is
    a scale takes the scale onto its smaller operand; x·W + b with W [K, P] and b [P] weights is one
    F.linear (one GEMM with the bias, as torch's own modules run it); a softmax over a fresh value no
    other node reads is computed in place (as torch's own MultiheadAttention does: at N=1024, 8 heads a
    second N×N buffer is 32 MiB, mapped anew at every pass, and its page faults cost as much again as the
    softmax: 21 ms against 8 ms in place, measured here). Returns (nodes, {output name: value})."""
    rank = {t["id"]: len(t["shape"]) for t in program["tensors"]}
    outputs = {o["id"] for o in program["outputs"] + program.get("stateOut", [])}
    uses = {}
    for n in program["nodes"]:
        for v in n["in"]:
            uses[v] = uses.get(v, 0) + 1
    nodes, producer, alias = [], {}, {}

    def absorb(n, p):  # n's value is now p's: p's readers and outputs are n's
        alias[n["out"]] = p["out"]
        uses[p["out"]] = uses.get(n["out"], 0)
        if n["out"] in outputs:
            outputs.add(p["out"])

    for n in program["nodes"]:
        n = dict(n, **{"in": [alias.get(v, v) for v in n["in"]]})
        p = producer.get(n["in"][0]) if n["in"] else None
        single = p is not None and uses.get(p["out"], 0) == 1 and p["out"] not in outputs
        if n["op"] == "scale" and single and p["op"] == "matmul" and "s" not in p["a"]:
            p["a"] = dict(p["a"], s=n["a"]["s"])
            absorb(n, p)
            continue
        if (n["op"] == "add" and single and p["op"] == "matmul" and "s" not in p["a"] and not p["a"]["ta"]
                and rank.get(p["in"][1]) == 2 and rank.get(n["in"][1]) == 1):
            p.update(op="linear", a={"tb": p["a"]["tb"]}, **{"in": p["in"] + [n["in"][1]]})
            absorb(n, p)
            continue
        if n["op"] == "softmax" and single and p["op"] in FRESH:
            n["a"] = dict(n.get("a", {}), inplace=True)
        nodes.append(n)
        producer[n["out"]] = n
    named = lambda vs: {o["name"]: alias.get(o["id"], o["id"]) for o in vs}
    nodes, joined = joined_linears(nodes, program)
    return nodes, named(program["outputs"]), named(program.get("stateOut", [])), joined


def joined_linears(nodes, program):
    """The F.linear nodes that read the same input become one over their weights side by side, each
    output a view of its columns (as nn.MultiheadAttention's in-projection: one GEMM for Q, K and V;
    N=1024, D=512: 198 ms -> 185 ms a pass here, the outputs bit for bit the same). Returns the nodes
    and the joined constants: (new id, [ids], axis), which Compiled builds once."""
    groups, overwritten = {}, {n["in"][0] for n in nodes if (n.get("a") or {}).get("inplace")}
    for n in nodes:
        if n["op"] == "linear" and n["out"] not in overwritten:  # a view is never overwritten in place
            groups.setdefault((n["in"][0], n["a"]["tb"]), []).append(n)
    fresh = 1 + max([t["id"] for t in program["tensors"]] + [i["id"] for i in program["inputs"]]
                    + [s["id"] for s in program.get("state", [])] + [m["out"] for m in nodes])
    shapes = {t["id"]: t["shape"] for t in program["tensors"]}
    replaced, joined = {}, []
    for (x, tb), group in groups.items():
        k_axis, p_axis = (1, 0) if tb else (0, 1)
        if len(group) < 2 or len({shapes[n["in"][1]][k_axis] for n in group}) > 1:
            continue
        w, b, out = fresh, fresh + 1, fresh + 2
        fresh += 3
        joined += [(w, [n["in"][1] for n in group], p_axis), (b, [n["in"][2] for n in group], 0)]
        views, start = [{"op": "linear", "in": [x, w, b], "out": out, "a": {"tb": tb}}], 0
        for n in group:
            width = shapes[n["in"][1]][p_axis]
            views.append({"op": "narrow", "in": [out], "out": n["out"], "a": {"start": start, "length": width}})
            start += width
        replaced[id(group[0])] = views
        replaced.update({id(n): [] for n in group[1:]})
    return [m for n in nodes for m in replaced.get(id(n), [n])], joined


class Compiled:
    """A program bound to its tensors on the device: run() is one call (a forward pass, a decode step);
    the state it returns replaces the state it started from, for the next call."""

    def __init__(self, program, inputs, state, tensors, ctx):
        nodes, self.outputs, self.state_out, joined = fused(program)
        tensors = dict(tensors)
        for new, parts, axis in joined:
            tensors[new] = torch.cat([tensors[i] for i in parts], axis)
        read = {v for n in nodes for v in n["in"]} | set(self.outputs.values()) | set(self.state_out.values())
        tensors = {i: t for i, t in tensors.items() if i in read}  # the joined weights' parts are held once, joined
        self.ids = {i["name"]: i["id"] for i in program["inputs"]}
        self.state_ids = {s["name"]: s["id"] for s in program.get("state", [])}
        self.inputs, self.state, self.tensors, self.ctx = inputs, state, tensors, ctx
        last = {}
        for i, node in enumerate(nodes):
            for v in node["in"]:
                last[v] = i
        held = (set(tensors) | set(self.ids.values()) | set(self.state_ids.values()) | set(self.outputs.values())
                | set(self.state_out.values()))
        self.steps = []
        for i, node in enumerate(nodes):
            free = [v for v in set(node["in"]) if last[v] == i and v not in held]
            self.steps.append((kernel(node, ctx), node["in"], node["out"], free))

    def run(self):
        env = dict(self.tensors)
        for name, t in self.inputs.items():
            env[self.ids[name]] = t
        for name, t in self.state.items():
            env[self.state_ids[name]] = t
        for fn, ins, out, free in self.steps:
            env[out] = fn(*[env[v] for v in ins])
            for v in free:
                del env[v]
        self.state = dict(self.state, **{name: env[v] for name, v in self.state_out.items()})
        return {name: env[v] for name, v in self.outputs.items()}


def attention_module(module, heads, causal, ran):
    """Ops.attentionModule: torch's own plain multi-head attention on the weights (x·W + b, W [D, D]) as a
    function of (x, Wq, bq, Wk, bk, Wv, bv, Wo, bo). `mha`: nn.MultiheadAttention (batch_first, eval,
    need_weights=False: torch's fused inference path where it takes the case), built from the weights at
    the first call and kept (the weights are the program's constants); `sdpa`: F.linear projections
    around F.scaled_dot_product_attention (torch >= 2.0), `ran` told the kernel SDPA picks at the first call."""
    if module == "sdpa":
        held = {}

        def run_sdpa(x, *w):
            first = not held
            if first:
                held["w"] = [t.T.contiguous() if i % 2 == 0 else t for i, t in enumerate(w)]
            wq, bq, wk, bk, wv, bv, wo, bo = held["w"]
            q, k, v = F.linear(x, wq, bq), F.linear(x, wk, bk), F.linear(x, wv, bv)
            return F.linear(sdpa(q, k, v, heads, causal, None, ran if first else None), wo, bo)
        return run_sdpa
    if module != "mha":
        raise ValueError(f"unknown attention module {module}")
    held = {}

    def run_mha(x, *w):
        if not held:
            held["m"], held["mask"] = mha_module(x, w, heads, causal)
        return held["m"](x, x, x, need_weights=False, attn_mask=held["mask"])[0]
    return run_mha


def mha_module(x, w, heads, causal):
    """nn.MultiheadAttention holding the weights, and its mask (True above the diagonal when causal)."""
    wq, bq, wk, bk, wv, bv, wo, bo = w
    d, n = x.shape[-1], x.shape[1]
    m = torch.nn.MultiheadAttention(d, heads, bias=True, batch_first=True).to(device=x.device, dtype=x.dtype).eval()
    with torch.no_grad():
        m.in_proj_weight.copy_(torch.cat([wq.T, wk.T, wv.T]))
        m.in_proj_bias.copy_(torch.cat([bq, bk, bv]))
        m.out_proj.weight.copy_(wo.T)
        m.out_proj.bias.copy_(bo)
    mask = torch.ones(n, n, dtype=torch.bool, device=x.device).triu(1) if causal else None
    return m, mask


class Worker:
    def __init__(self, device, threads):
        self.device = torch.device(device)
        self.cuda = self.device.type == "cuda"
        if threads > 0:
            torch.set_num_threads(threads)
        self.compiled, self.next_handle = {}, 1

    def reader(self, payload, dtype):
        """take(shape): the next float32 tensor of the payload, on the device in `dtype`."""
        buf, offset = bytearray(payload), 0

        def take(shape):
            nonlocal offset
            count = 1
            for s in shape:
                count *= s
            t = torch.frombuffer(buf, dtype=torch.float32, count=count, offset=offset).reshape(shape)
            offset += 4 * count
            return t.to(device=self.device, dtype=dtype).contiguous()

        return take

    def keep(self, compiled):
        handle, self.next_handle = self.next_handle, self.next_handle + 1
        self.compiled[handle] = compiled
        return {"handle": handle}, b""

    def prepare(self, req, payload):
        program, take = req["program"], self.reader(payload, getattr(torch, req.get("dtype", "float32")))
        inputs = {i["name"]: take(i["shape"]) for i in program["inputs"]}
        state = {s["name"]: take(s["shape"]) for s in program.get("state", [])}
        tensors = {t["id"]: take(t["shape"]) for t in program["tensors"]}
        return self.keep(Compiled(program, inputs, state, tensors, {}))

    def run(self, req, payload):
        c = self.compiled[req["handle"]]
        take = self.reader(payload, next(iter(c.inputs.values())).dtype if c.inputs else torch.float32)
        for name, shape in zip(req.get("replace", []), req.get("shapes", [])):
            if name not in c.inputs or list(c.inputs[name].shape) != shape:
                raise ValueError(f"input '{name}' must be a bound input of the same shape")
            c.inputs[name] = take(shape)
            c.graph = None  # a captured graph reads the old input's memory: captured again at the next timing
        with torch.inference_mode():
            ys = c.run()
        data = b"".join(y.to(device="cpu", dtype=torch.float32).contiguous().numpy().tobytes() for y in ys.values())
        ran = sorted(set(getattr(c, "ctx", {}).get("attention", {}).values()))
        return {"outputs": [{"name": n, "shape": list(y.shape)} for n, y in ys.items()],
                **({"attentionBackend": ", ".join(ran)} if ran else {})}, data

    def time(self, req, _):
        c, count = self.compiled[req["handle"]], req["count"]
        with torch.inference_mode():
            if self.cuda:
                graph = cuda_graph(c)
                captured = isinstance(graph, torch.cuda.CUDAGraph)
                replay = graph.replay if captured else c.run
                events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in range(count)]
                for start, end in events:
                    start.record()
                    replay()
                    end.record()
                torch.cuda.synchronize()
                return {"samplesMs": [s.elapsed_time(e) for s, e in events], "clock": "cuda-events",
                        "cudaGraph": True if captured else graph}, b""
            samples = []
            for _ in range(count):
                t0 = time.perf_counter_ns()
                c.run()
                samples.append((time.perf_counter_ns() - t0) / 1e6)
            return {"samplesMs": samples, "clock": "monotonic (time.perf_counter_ns)"}, b""

    def memory(self, req, _):
        c = self.compiled[req["handle"]]
        with torch.inference_mode():
            c.run()
            if self.cuda:
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
                base = torch.cuda.memory_allocated()
                y = c.run()
                torch.cuda.synchronize()
                peak = torch.cuda.max_memory_allocated() - base
                del y
                return {"peakBytes": peak, "source": "torch.cuda.max_memory_allocated over one pass, beyond weights and input"}, b""
            base = reset_peak_rss()
            y = c.run()
            peak = max(0, read_peak_rss() - base)
            del y
            return {"peakBytes": peak, "source": "growth of the worker's peak RSS (VmHWM reset via /proc/self/clear_refs) over one pass"}, b""

    def dispose(self, req, _):
        self.compiled.pop(req["handle"], None)
        if self.cuda:
            torch.cuda.empty_cache()
        return {}, b""


def cuda_graph(c):
    """The pass captured once as a CUDA graph (torch.cuda.graphs), replayed by each timed sample: the
    kernels' time without Python's launch overhead. Captured at the first timing, after two eager passes
    on a side stream (torch's recipe for warming up before capture); kept until an input is replaced.
    Returns the graph, or why the pass is not replayed (one line): timing then runs the pass eagerly."""
    if getattr(c, "graph", None) is not None:
        return c.graph
    if getattr(c, "state", None):
        c.graph = "not captured: a program with state replaces its tensors at every call"
        return c.graph
    try:
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(2):
                c.run()
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            c.static_outputs = c.run()  # the graph's outputs live as long as it does
        c.graph = graph
    except Exception as e:
        torch.cuda.synchronize()
        c.graph = f"capture failed: {type(e).__name__}: {e}".splitlines()[0]
    return c.graph


def reset_peak_rss():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return read_peak_rss()


def read_peak_rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmHWM not found in /proc/self/status")


def send(out, header, payload=b""):
    if payload:
        header["bytes"] = len(payload)
    out.write((json.dumps(header) + "\n").encode())
    out.write(payload)
    out.flush()


def serve(device, threads):
    stdin, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers on the protocol's stream
    if IMPORT_ERROR:
        send(out, {"error": IMPORT_ERROR})
        return
    worker = Worker(device, threads)
    send(out, {"ready": True, "version": torch.__version__, "threads": torch.get_num_threads()})
    while True:
        line = stdin.readline()
        if not line:
            return
        req = json.loads(line)
        payload = stdin.read(req["bytes"]) if req.get("bytes") else b""
        try:
            header, data = getattr(worker, req["cmd"])(req, payload)
            send(out, {"id": req["id"], **header}, data)
        except Exception as e:
            send(out, {"id": req["id"], "error": f"{type(e).__name__}: {e}".splitlines()[0]})


def main(argv):
    if argv[:1] == ["--probe"]:
        print(json.dumps(probe()))
    elif argv[:1] == ["--serve"]:
        serve(argv[1], int(argv[2]))
    else:
        sys.exit("usage: worker.py --probe | --serve DEVICE THREADS")


if __name__ == "__main__":
    main(sys.argv[1:])
