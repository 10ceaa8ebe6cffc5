#!/usr/bin/env python3
"""Qinxue scaled out, tested through the balancer (issue 15): run as
`scripts/cluster.sh --test python3 scripts/cluster-test.py` (make test does).

Two release instances on one PostgreSQL behind HAProxy (round-robin, no stickiness), which
names the answering instance in X-Qinxue-Instance. Checks: a payment notification and its
duplicates sent to both instances at once pay the order once; a trainee's heartbeats land on
both instances and every 20 s is credited once (a replay on the other instance adds nothing);
a study session opened on a second device ends the first; a logout through the balancer holds
on both instances within 1 s. Only the standard library, so it needs nothing installed."""

import concurrent.futures
import datetime
import hashlib
import hmac
import http.cookiejar
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request

LB = os.environ["CLUSTER_URL"]
INSTANCES = os.environ["CLUSTER_INSTANCES"].split()
PAYSIM = os.environ["PAYSIM_URL"]
DB = os.environ["QINXUE_TEST_DATABASE_URL"].rsplit("/", 1)[0] + "/qinxue"
SECRET = b"paysim-dev-secret"
PASSWORD = "Demo@2017"
GRADED = "350502198001011235"  # 王建国, enrolled
UNPAID = "350582199203025017"  # 林晓梅, not paid yet


class Browser:
    """One device: its own cookies; `base` is the balancer unless a test aims at an instance."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.cookie = None

    def keep_cookies(self):
        """From now on sends the cookies it has now, whatever answers say (as a stolen or
        stale cookie would be sent), so that a refusal is the server's, not the jar's."""
        self.cookie = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        self.opener = urllib.request.build_opener()

    def call(self, method, path, body=None, base=LB):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        # The server refuses state-changing requests without it (CSRF, DESIGN.md §7).
        req.add_header("Origin", LB)
        if self.cookie:
            req.add_header("Cookie", self.cookie)
        try:
            res = self.opener.open(req, timeout=10)
        except urllib.error.HTTPError as e:
            res = e
        raw = res.read()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode()
        return res.status, payload, res.headers.get("X-Qinxue-Instance")

    def ok(self, method, path, body=None, base=LB, want=(200, 201, 204)):
        status, payload, _ = self.call(method, path, body, base)
        check(status in want, f"{method} {path}: {status} {payload}")
        return payload


def check(cond, what):
    if not cond:
        print(f"cluster-test: FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def login(who):
    b = Browser()
    b.ok("POST", "/api/auth/login", {"login": who, "password": PASSWORD})
    return b


def sql(query):
    out = subprocess.run(
        ["psql", "-qAt", DB, "-c", query], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def advance_clocks(secs):
    """The test clock is each process's own: both move together, so they agree."""
    for base in INSTANCES:
        Browser().ok("POST", "/api/test/clock", {"advance_secs": secs}, base=base)


def sign(fields):
    canonical = "&".join(
        f"{k}={str(v).lower() if isinstance(v, bool) else v}"
        for k, v in sorted(fields.items())
        if v is not None and k != "sign"
    )
    return hmac.new(SECRET, canonical.encode(), hashlib.sha256).hexdigest()


def payment_notified_to_both_instances_at_once_pays_once():
    trainee = login(UNPAID)
    year = trainee.ok("GET", "/api/me")["year"]["year"]
    order = trainee.ok("POST", "/api/orders", {"year": year})
    payment_id = order["pay_url"].rsplit("/", 1)[1]
    # The simulator's own deliveries are dropped: this test sends the notifications itself.
    sim = Browser()
    sim.ok("POST", "/api/sim/faults", {"spec": "drop=1"}, base=PAYSIM)
    paid = sim.ok("POST", f"/api/sim/payments/{payment_id}/pay", base=PAYSIM)
    log = sim.ok("GET", f"/api/sim/notifications?payment_id={payment_id}", base=PAYSIM)
    notify_id = log["attempts"][0]["notify_id"]

    def notification(_):
        fields = {
            k: paid[k]
            for k in ("payment_id", "merchant_order_id", "amount_fen", "status", "receipt_no", "paid_at")
        }
        fields |= {
            "notify_id": notify_id,
            "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "nonce": secrets.token_hex(8),
        }
        fields["sign"] = sign(fields)
        return fields

    copies = [(INSTANCES[i % 2], notification(i)) for i in range(8)]

    def deliver(target):
        base, body = target
        req = urllib.request.Request(
            base + "/api/payments/notify", data=json.dumps(body).encode(), method="POST"
        )
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, res.read()

    with concurrent.futures.ThreadPoolExecutor(len(copies)) as pool:
        answers = list(pool.map(deliver, copies))
    sim.ok("POST", "/api/sim/faults", {"spec": "none"}, base=PAYSIM)
    check(all(a == (200, b"success") for a in answers), f"every copy acknowledged: {answers}")
    order_id = order["id"]
    check(sql(f"SELECT status FROM orders WHERE id = {order_id}") == "paid", "the order is paid")
    verdicts = sql(f"SELECT verdict FROM payment_notifications WHERE order_id = {order_id}").split()
    check(verdicts.count("paid") == 1, f"paid once, verdicts {verdicts}")
    activated = sql(
        f"SELECT COUNT(*) FROM order_items WHERE order_id = {order_id} AND outcome = 'activated'"
    )
    check(activated == "1", f"one enrolment activated, got {activated}")
    check(trainee.ok("GET", "/api/me")["year"]["enrolled"] is True, "the trainee is enrolled")
    print(f"cluster-test: 8 concurrent copies of a notification on both instances: paid once ({verdicts})")


def text_lesson(browser):
    for course in browser.ok("GET", "/api/courses"):
        for lesson in course["lessons"]:
            if lesson["kind"] == "text":
                return lesson["id"]
    check(False, "the demo catalogue has a text lesson")


def beat(browser, session, seq, base=LB):
    return browser.call(
        "POST",
        f"/api/study/sessions/{session}/heartbeat",
        {"seq": seq, "visible": True, "position_secs": 0},
        base,
    )


def check_answer(check_):
    a, b = check_["prompt"].removeprefix("请计算：").split(" = ")[0].split(" + ")
    return str(int(a) + int(b))


def heartbeats_alternate_and_each_interval_is_credited_once():
    me = login(GRADED)
    lesson = text_lesson(me)
    before = me.ok("GET", "/api/study/progress")["credited_secs"]
    started = time.monotonic()
    session = me.ok("POST", "/api/study/sessions", {"lesson_id": lesson})["session_id"]
    beats, credited, landed, answered_last, replays = 8, 0, [], False, set()
    for seq in range(1, beats + 1):
        advance_clocks(20)
        status, reply, instance = beat(me, session, seq)
        check(status == 200, f"heartbeat {seq}: {status} {reply}")
        # Round-robin: the balancer's previous request was the last heartbeat, unless a
        # check's answer went between.
        check(
            seq == 1 or instance != landed[-1] or answered_last,
            f"heartbeat {seq} on {instance} again, after {landed}",
        )
        landed.append(instance)
        credited += reply["credited_secs"]
        answered_last = bool(reply.get("check"))
        if reply.get("check"):
            c = reply["check"]
            answered = me.ok("POST", f"/api/study/checks/{c['id']}", {"answer": check_answer(c)})
            credited += answered["credited_secs"]
        # The same heartbeat again, straight to the instance that did not answer it.
        other = INSTANCES[1] if instance == "s1" else INSTANCES[0]
        status, reply, _ = beat(me, session, seq, other)
        replays.add(status)
        check(
            status != 200 or reply["credited_secs"] == 0,
            f"a replayed heartbeat is credited again: {status} {reply}",
        )
    after = me.ok("GET", "/api/study/progress")["credited_secs"]
    check(set(landed) == {"s1", "s2"}, f"heartbeats landed on both instances: {landed}")
    # The clocks run on between the moves (the test clock moves real time forward, it does
    # not stop it), so the real seconds the loop took may be credited too; a replay credited
    # again would add 20 s.
    real = time.monotonic() - started
    check(
        20 * beats <= credited <= 20 * beats + real + 1,
        f"replies credit {credited} s for {beats} beats of 20 s in {real:.1f} s of real time",
    )
    check(after - before == credited, f"progress grew {after - before} s, replies said {credited}")
    print(f"cluster-test: {beats} heartbeats on {landed}, replays on the other answered {sorted(replays)}: {credited} s credited once")
    return me, lesson, session, beats


def a_second_device_ends_the_first(me, lesson, first, seq):
    other = login(GRADED)
    second = other.ok("POST", "/api/study/sessions", {"lesson_id": lesson})["session_id"]
    advance_clocks(20)
    for base in INSTANCES:
        status, reply, _ = beat(me, first, seq + 1, base)
        check(
            status == 409 and reply["error"]["code"] == "session_ended",
            f"the first device's session on {base}: {status} {reply}",
        )
    status, reply, _ = beat(other, second, 1)
    check(status == 200 and reply["credited_secs"] in (20, 21), f"the second device's: {status} {reply}")
    print("cluster-test: a second device's session ended the first on both instances")


def a_logout_holds_on_both_instances_within_a_second():
    me = login(GRADED)
    session = me.ok("POST", "/api/study/sessions", {"lesson_id": text_lesson(me)})["session_id"]
    # Each instance remembers the sign-in after a heartbeat it answered.
    for seq, base in enumerate(INSTANCES, 1):
        status, reply, _ = beat(me, session, seq, base)
        check(status != 401, f"signed in on {base}: {status} {reply}")
    me.keep_cookies()
    me.ok("POST", "/api/auth/logout", {})
    out, seq, refused = time.monotonic(), 10, set()
    while len(refused) < 2:
        for base in INSTANCES:
            if base not in refused:
                status, _, _ = beat(me, session, seq, base)
                seq += 1
                if status == 401:
                    refused.add(base)
        check(time.monotonic() - out < 1.0, f"an ended sign-in still accepted after 1 s ({refused} refuse)")
        time.sleep(0.05)
    print(f"cluster-test: a logout held on both instances after {time.monotonic() - out:.2f} s")


payment_notified_to_both_instances_at_once_pays_once()
a_logout_holds_on_both_instances_within_a_second()
me, lesson, session, beats = heartbeats_alternate_and_each_interval_is_credited_once()
a_second_device_ends_the_first(me, lesson, session, beats)
print("cluster-test: all passed")
