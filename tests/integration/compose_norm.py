"""Brings `docker-compose config` (1.29) and `quai compose config` output to
one shape, so that the resolved values can be compared where both support
the feature. The differences removed here are formatting or newer-spec
defaults listed in docs/compose.md."""
import shlex


def _port_key(p):
    if isinstance(p, (int, str)):
        # 1.29 keeps some short strings ("8080:80")
        s = str(p)
        proto = "tcp"
        if "/" in s:
            s, proto = s.rsplit("/", 1)
        parts = s.split(":")
        target = parts[-1]
        published = parts[-2] if len(parts) > 1 else ""
        ip = ":".join(parts[:-2])
        return (ip, str(published), str(target), proto)
    return (str(p.get("host_ip", "")), str(p.get("published", "")), str(p.get("target")),
            p.get("protocol", "tcp"))


def _volume_key(v):
    if isinstance(v, str):
        parts = v.split(":")
        if len(parts) == 1:
            return ("volume", "", parts[0], False)
        src, dst = parts[0], parts[1]
        mode = parts[2] if len(parts) > 2 else "rw"
        kind = "bind" if src.startswith(("/", ".", "~")) else "volume"
        return (kind, src, dst, "ro" in mode.split(","))
    return (v.get("type"), v.get("source", ""), v.get("target"), bool(v.get("read_only", False)))


def _command(c):
    if isinstance(c, str):
        return shlex.split(c)
    return [str(x) for x in c] if isinstance(c, list) else c


_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def _seconds(d):
    """A compose duration in seconds (1.29 prints 1m30s as 90s)."""
    if not isinstance(d, str):
        return d
    total, num = 0.0, ""
    i = 0
    while i < len(d):
        c = d[i]
        if c.isdigit() or c == ".":
            num += c
            i += 1
            continue
        for u in sorted(_UNITS, key=len, reverse=True):
            if d.startswith(u, i):
                total += float(num or 0) * _UNITS[u]
                num = ""
                i += len(u)
                break
        else:
            return d
    return total + float(num or 0)


def _strmap(m):
    if isinstance(m, list):
        out = {}
        for item in m:
            k, _, v = str(item).partition("=")
            out[k] = v
        return out
    return {k: (None if v is None else str(v)) for k, v in (m or {}).items()}


def service(s, ref):
    """s normalised; ref is the other side's service (for defaults only
    one side prints)."""
    out = {}
    for k, v in s.items():
        if k == "ports":
            v = sorted(_port_key(p) for p in v)
        elif k == "volumes":
            v = sorted(_volume_key(x) for x in v)
        elif k in ("command", "entrypoint"):
            v = _command(v)
        elif k == "healthcheck":
            v = dict(v)
            if isinstance(v.get("test"), str):
                v["test"] = ["CMD-SHELL", v["test"]]
            if "retries" in v:
                v["retries"] = int(v["retries"])
            for d in ("interval", "timeout", "start_period", "start_interval"):
                if d in v:
                    v[d] = _seconds(v[d])
        elif k == "stop_grace_period":
            v = _seconds(v)
        elif k in ("environment", "labels", "sysctls"):
            v = _strmap(v)
        elif k == "expose":
            v = sorted(str(x) for x in v)
        elif k == "build":
            v = dict(v) if isinstance(v, dict) else {"context": v}
            if v.get("dockerfile") == "Dockerfile":
                v.pop("dockerfile")
            if "args" in v:
                v["args"] = _strmap(v["args"])
        elif k == "depends_on":
            if isinstance(v, list):
                v = {d: {"condition": "service_started"} for d in v}
            v = {d: {"condition": c.get("condition")} for d, c in v.items()}
        elif k == "networks":
            if isinstance(v, list):
                v = {n: None for n in v}
            if v == {"default": None} and "networks" not in ref:
                continue
            v = {n: c or None for n, c in v.items()}
        elif k == "env_file":
            continue  # read into environment by both
        elif k == "secrets" or k == "configs":
            v = [x if isinstance(x, dict) else {"source": x} for x in v]
        elif k in ("dns", "dns_search", "tmpfs") and isinstance(v, str):
            v = [v]
        out[k] = v
    return out


def model(m, other):
    """m normalised against the other side's raw model."""
    out = {}
    for k, v in (m or {}).items():
        if k in ("version", "name") or k.startswith("x-"):
            continue  # 1.29 prints version and drops extensions; quai prints name
        if k == "services":
            oth = (other or {}).get("services", {}) or {}
            v = {n: service(s, oth.get(n, {})) for n, s in v.items()}
        elif k in ("networks", "volumes", "secrets", "configs"):
            oth = (other or {}).get(k, {}) or {}
            nv = {}
            for n, d in v.items():
                d = dict(d or {})
                if "name" in d and "name" not in (oth.get(n) or {}):
                    d.pop("name")
                nv[n] = d
            if k == "networks" and list(nv) == ["default"] and k not in (other or {}):
                continue
            v = nv
        out[k] = v
    return out
