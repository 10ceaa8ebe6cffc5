#!/usr/bin/env python3
"""Validate the course data in content/courses/*.json (stdlib only).

Usage: python3 content/check.py        (from anywhere; paths are relative to this file)
Exit status 0 when every file is valid, 1 otherwise; one line per problem.
See content/README.md for the format and the rules checked here.
"""
import glob
import json
import math
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
COURSES = os.path.join(HERE, "courses")
COVERS = os.path.join(HERE, "covers")
PUBLIC = os.path.join(REPO, "public")



def registration_trades():
    """The trades of the registration list, read from core/src/account.rs so the two cannot drift."""
    with open(os.path.join(REPO, "core", "src", "account.rs"), encoding="utf-8") as f:
        source = f.read()
    block = re.search(r"pub const TRADES: \[&str; \d+\] = \[(.*?)\];", source, re.S)
    return re.findall(r'"([^"]+)"', block.group(1)) if block else []


TRADES = registration_trades()
CATEGORY_HOURS = {"public": 6, "trade": 12}
GRADED_HOURS = 42  # a graded trainee's requirement in the 2017 notice (core/src/policy.rs)
SECS_PER_HOUR = 2700  # 1 学时 = 45 min

COURSE_KEYS = ["code", "title", "category", "trades", "hours", "description", "cover", "lessons", "questions"]
LESSON_KEYS = {
    "text": {"title", "kind", "duration_secs", "body"},
    "video": {"title", "kind", "duration_secs", "video", "body", "transcript"},
}
QUESTION_KEYS = {
    "single": {"kind", "stem", "options", "answer", "explanation"},
    "multiple": {"kind", "stem", "options", "answer", "explanation"},
    "true_false": {"kind", "stem", "answer", "explanation"},
}
MIN_LESSONS, MAX_LESSONS = 3, 4
MIN_QUESTIONS = 12
TEXT_HAN_MIN, TEXT_HAN_MAX = 800, 1500          # Chinese characters (Han ideographs) in a text lesson
TRANSCRIPT_MIN, TRANSCRIPT_MAX = 200, 400       # non-whitespace characters
VIDEO_BODY_MAX = 300
VIDEO_SECS_MIN, VIDEO_SECS_MAX = 30, 60
VIDEO_MAX_BYTES = 300 * 1024
COVER_MAX_BYTES = 3 * 1024

CODE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
SENTENCE_END_RE = re.compile(r"[。！？]")
ORDERED_RE = re.compile(r"^\d+\. \S")
VIDEO_RE = re.compile(r"^/media/[a-z0-9][a-z0-9-]*\.mp4$")

problems = []


def problem(where, msg):
    problems.append("%s: %s" % (where, msg))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def nonblank_str(v):
    return isinstance(v, str) and v.strip() != ""


def sentences(s):
    return [p for p in SENTENCE_END_RE.split(s) if p.strip()]


def check_markdown(where, body):
    """The light Markdown subset: paragraphs, '## ' headings, '- ' bullets, '1. ' items, **bold**."""
    for n, line in enumerate(body.split("\n"), 1):
        at = "%s line %d" % (where, n)
        if line == "":
            continue
        if line != line.strip():
            problem(at, "leading/trailing whitespace (no indentation or nesting allowed)")
            continue
        if line.startswith("#"):
            if not line.startswith("## ") or line.startswith("### "):
                problem(at, "only '## ' headings are allowed: %r" % line[:30])
            text = line[3:]
        elif line.startswith("- "):
            text = line[2:]
        elif ORDERED_RE.match(line):
            text = line.split(". ", 1)[1]
        else:
            if re.match(r"^(>|\||\* |\+ |```|\d+[.)]\S)", line):
                problem(at, "unsupported Markdown block: %r" % line[:30])
            text = line
        if "`" in text or "<" in text or "](" in text or "__" in text or "\\" in text:
            problem(at, "unsupported inline Markdown or HTML (` < ]( __ \\): %r" % line[:40])
        if text.count("**") % 2:
            problem(at, "unbalanced **bold**")
        if "*" in text.replace("**", ""):
            problem(at, "stray '*' (only **bold** is allowed)")


def mp4_duration(path):
    """Duration in seconds from the mvhd box of an MP4 file, or None."""
    with open(path, "rb") as f:
        data = f.read()

    def boxes(buf, start, end):
        i = start
        while i + 8 <= end:
            size, kind = struct.unpack(">I4s", buf[i:i + 8])
            header = 8
            if size == 1:
                size = struct.unpack(">Q", buf[i + 8:i + 16])[0]
                header = 16
            elif size == 0:
                size = end - i
            if size < header:
                return
            yield kind, i + header, i + size
            i += size

    for kind, s, e in boxes(data, 0, len(data)):
        if kind != b"moov":
            continue
        for k2, s2, e2 in boxes(data, s, e):
            if k2 != b"mvhd":
                continue
            version = data[s2]
            if version == 1:
                timescale, duration = struct.unpack(">IQ", data[s2 + 20:s2 + 32])
            else:
                timescale, duration = struct.unpack(">II", data[s2 + 12:s2 + 20])
            if timescale:
                return duration / timescale
    return None


def check_cover(where, course, cover_fills):
    code, title = course.get("code"), course.get("title")
    if course.get("cover") != "/covers/%s.svg" % code:
        problem(where, "cover must be \"/covers/%s.svg\"" % code)
    path = os.path.join(COVERS, "%s.svg" % code)
    if not os.path.isfile(path):
        problem(where, "cover file missing: content/covers/%s.svg" % code)
        return
    size = os.path.getsize(path)
    if size > COVER_MAX_BYTES:
        problem(where, "cover is %d bytes, limit %d" % (size, COVER_MAX_BYTES))
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        problem(where, "cover is not well-formed XML: %s" % e)
        return
    ns = "{http://www.w3.org/2000/svg}"
    if root.tag != ns + "svg":
        problem(where, "cover root element must be <svg> in the SVG namespace")
        return
    if (root.get("viewBox") or "").split() != ["0", "0", "640", "360"]:
        problem(where, "cover viewBox must be \"0 0 640 360\"")
    children = list(root)
    first = children[0] if children else None
    if first is None or first.tag != ns + "rect" or first.get("width") != "640" or first.get("height") != "360" \
            or not first.get("fill"):
        problem(where, "cover must start with a full-size background <rect width=\"640\" height=\"360\" fill=…>")
    else:
        cover_fills.setdefault(course.get("category"), {})[code] = first.get("fill").lower()
    texts = list(root.iter(ns + "text"))
    for t in texts:
        if t.get("font-family") != "sans-serif":
            problem(where, "every cover <text> needs font-family=\"sans-serif\"")
            break
    titles = [t for t in texts if t.get("id") == "title"]
    if len(titles) != 1:
        problem(where, "cover needs exactly one <text id=\"title\">")
    else:
        shown = re.sub(r"\s+", "", "".join(titles[0].itertext()))
        if shown != title:
            problem(where, "cover title text %r differs from course title %r" % (shown, title))
    if any(True for _ in root.iter(ns + "image")):
        problem(where, "cover must be drawn from basic shapes (no embedded <image>)")


def check_lesson(where, lesson):
    if not isinstance(lesson, dict):
        problem(where, "lesson must be an object")
        return 0
    kind = lesson.get("kind")
    if kind not in LESSON_KEYS:
        problem(where, "kind must be \"text\" or \"video\", got %r" % kind)
        return 0
    keys = set(lesson)
    if keys != LESSON_KEYS[kind]:
        missing, extra = LESSON_KEYS[kind] - keys, keys - LESSON_KEYS[kind]
        problem(where, "%s lesson keys: missing %s, unexpected %s" % (kind, sorted(missing), sorted(extra)))
    if not nonblank_str(lesson.get("title")):
        problem(where, "title must be a non-empty string")
    dur = lesson.get("duration_secs")
    if not is_int(dur) or dur <= 0:
        problem(where, "duration_secs must be a positive integer")
        dur = 0
    body = lesson.get("body")
    if not nonblank_str(body):
        problem(where, "body must be a non-empty string")
        body = ""
    check_markdown(where + " body", body)
    if kind == "text":
        han = len(HAN_RE.findall(body))
        if not TEXT_HAN_MIN <= han <= TEXT_HAN_MAX:
            problem(where, "text lesson has %d Chinese characters, need %d-%d" % (han, TEXT_HAN_MIN, TEXT_HAN_MAX))
    else:
        if len(body) > VIDEO_BODY_MAX:
            problem(where, "video summary body is %d characters, limit %d" % (len(body), VIDEO_BODY_MAX))
        tr = lesson.get("transcript")
        if not nonblank_str(tr):
            problem(where, "video lesson needs a transcript")
        else:
            n = len(re.sub(r"\s", "", tr))
            if not TRANSCRIPT_MIN <= n <= TRANSCRIPT_MAX:
                problem(where, "transcript has %d characters, need %d-%d" % (n, TRANSCRIPT_MIN, TRANSCRIPT_MAX))
        video = lesson.get("video")
        if not isinstance(video, str) or not VIDEO_RE.match(video):
            problem(where, "video must look like \"/media/<name>.mp4\", got %r" % video)
        else:
            path = os.path.join(PUBLIC, video.lstrip("/"))
            if not os.path.isfile(path):
                problem(where, "video file missing: public%s" % video)
            else:
                size = os.path.getsize(path)
                if size > VIDEO_MAX_BYTES:
                    problem(where, "video is %d bytes, limit %d" % (size, VIDEO_MAX_BYTES))
                secs = mp4_duration(path)
                if secs is None:
                    problem(where, "cannot read the MP4 duration of public%s" % video)
                else:
                    whole = int(math.floor(secs + 1e-6))
                    if not VIDEO_SECS_MIN <= whole <= VIDEO_SECS_MAX:
                        problem(where, "clip is %d s, must be %d-%d s" % (whole, VIDEO_SECS_MIN, VIDEO_SECS_MAX))
                    if dur != whole:
                        problem(where, "duration_secs %s must equal the clip's length in whole seconds (%d)"
                                % (dur, whole))
    return dur


def check_question(where, q):
    if not isinstance(q, dict):
        problem(where, "question must be an object")
        return None
    kind = q.get("kind")
    if kind not in QUESTION_KEYS:
        problem(where, "kind must be single, multiple or true_false, got %r" % kind)
        return None
    keys = set(q)
    if keys != QUESTION_KEYS[kind]:
        missing, extra = QUESTION_KEYS[kind] - keys, keys - QUESTION_KEYS[kind]
        problem(where, "%s question keys: missing %s, unexpected %s" % (kind, sorted(missing), sorted(extra)))
    if not nonblank_str(q.get("stem")):
        problem(where, "stem must be a non-empty string")
    expl = q.get("explanation")
    if not nonblank_str(expl):
        problem(where, "explanation must be a non-empty string")
    elif not 1 <= len(sentences(expl)) <= 3:
        problem(where, "explanation should be 1-3 sentences")
    answer = q.get("answer")
    if not isinstance(answer, list) or not answer or not all(is_int(a) for a in answer):
        problem(where, "answer must be a non-empty list of 0-based option indexes")
        return kind
    if len(set(answer)) != len(answer) or answer != sorted(answer):
        problem(where, "answer indexes must be unique and ascending")
    if kind == "true_false":
        if answer not in ([0], [1]):
            problem(where, "true_false answer must be [0] (正确) or [1] (错误)")
        return kind
    options = q.get("options")
    lo, hi = (4, 4) if kind == "single" else (4, 5)
    if not isinstance(options, list) or not lo <= len(options) <= hi:
        problem(where, "%s needs %s options" % (kind, "4" if lo == hi else "%d-%d" % (lo, hi)))
        return kind
    if not all(nonblank_str(o) for o in options):
        problem(where, "options must be non-empty strings")
    if len(set(options)) != len(options):
        problem(where, "options must be distinct")
    if any(a < 0 or a >= len(options) for a in answer):
        problem(where, "answer index out of range 0..%d" % (len(options) - 1))
    if kind == "single" and len(answer) != 1:
        problem(where, "single question must have exactly one answer")
    if kind == "multiple" and len(answer) < 2:
        problem(where, "multiple question must have two or more answers")
    return kind


def check_course(path, seen_codes, seen_titles, cover_fills):
    name = os.path.relpath(path, REPO)
    try:
        with open(path, encoding="utf-8") as f:
            raw = f.read()
        course = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as e:
        problem(name, "not valid UTF-8 JSON: %s" % e)
        return None
    if not isinstance(course, dict):
        problem(name, "top level must be an object")
        return None
    if raw != json.dumps(course, ensure_ascii=False, indent=2) + "\n":
        problem(name, "not in canonical form (2-space indent, UTF-8 characters unescaped, final newline); "
                      "rewrite with json.dumps(data, ensure_ascii=False, indent=2)")
    keys = set(course)
    if keys != set(COURSE_KEYS):
        problem(name, "course keys: missing %s, unexpected %s"
                % (sorted(set(COURSE_KEYS) - keys), sorted(keys - set(COURSE_KEYS))))
    code = course.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        problem(name, "code must be lowercase ASCII letters, digits and '-', got %r" % code)
    elif os.path.basename(path) != code + ".json":
        problem(name, "file name must be %s.json" % code)
    if code in seen_codes:
        problem(name, "duplicate code %r (also in %s)" % (code, seen_codes[code]))
    seen_codes[code] = name
    title = course.get("title")
    if not nonblank_str(title):
        problem(name, "title must be a non-empty string")
    elif title in seen_titles:
        problem(name, "duplicate title %r (also in %s)" % (title, seen_titles[title]))
    seen_titles[title] = name
    category = course.get("category")
    trades = course.get("trades")
    hours = course.get("hours")
    if category not in CATEGORY_HOURS:
        problem(name, "category must be \"public\" or \"trade\", got %r" % category)
    else:
        if hours != CATEGORY_HOURS[category]:
            problem(name, "%s courses have hours %d, got %r" % (category, CATEGORY_HOURS[category], hours))
        if category == "public" and trades != []:
            problem(name, "public courses must have trades []")
        if category == "trade":
            if not isinstance(trades, list) or not trades or not all(t in TRADES for t in trades):
                problem(name, "trade courses need one or more trades of core/src/account.rs TRADES, got %r"
                        % (trades,))
            elif len(set(trades)) != len(trades):
                problem(name, "trades must not repeat: %r" % (trades,))
    if not is_int(hours) or hours <= 0:
        problem(name, "hours must be a positive integer")
        hours = 0
    desc = course.get("description")
    if not nonblank_str(desc):
        problem(name, "description must be a non-empty string")
    elif not 2 <= len(sentences(desc)) <= 3:
        problem(name, "description should be 2-3 sentences, found %d" % len(sentences(desc)))
    check_cover(name, course, cover_fills)

    lessons = course.get("lessons")
    if not isinstance(lessons, list) or not MIN_LESSONS <= len(lessons) <= MAX_LESSONS:
        problem(name, "needs %d-%d lessons" % (MIN_LESSONS, MAX_LESSONS))
        lessons = lessons if isinstance(lessons, list) else []
    total = 0
    for i, lesson in enumerate(lessons):
        total += check_lesson("%s lesson %d" % (name, i + 1), lesson)
    kinds = [l.get("kind") for l in lessons if isinstance(l, dict)]
    if lessons and "text" not in kinds:
        problem(name, "needs at least one text lesson")
    need = hours * SECS_PER_HOUR
    if hours and not need <= total < need + SECS_PER_HOUR:
        problem(name, "lesson durations add up to %d s; need at least %d (%d 学时 × %d) and less than %d"
                % (total, need, hours, SECS_PER_HOUR, need + SECS_PER_HOUR))

    questions = course.get("questions")
    if not isinstance(questions, list) or len(questions) < MIN_QUESTIONS:
        problem(name, "needs at least %d questions" % MIN_QUESTIONS)
        questions = questions if isinstance(questions, list) else []
    qkinds = [check_question("%s question %d" % (name, i + 1), q) for i, q in enumerate(questions)]
    missing = {"single", "multiple", "true_false"} - set(qkinds)
    if questions and missing:
        problem(name, "questions should mix all kinds; none of %s" % sorted(missing))
    stems = [q.get("stem") for q in questions if isinstance(q, dict)]
    if len(set(stems)) != len(stems):
        problem(name, "duplicate question stems")
    return {"code": code, "category": category, "hours": hours, "lessons": len(lessons),
            "trades": trades if isinstance(trades, list) else [],
            "videos": kinds.count("video"), "questions": len(questions), "secs": total}


def check_every_trade(rows):
    """Every trade of the registration list can plan a graded trainee's 学时: all public courses
    plus the trade courses that list it (its own, or the general course of its group)."""
    public = sum(r["hours"] for r in rows if r["category"] == "public")
    for trade in TRADES:
        own = sum(r["hours"] for r in rows if r["category"] == "trade" and trade in r["trades"])
        if not own:
            problem("content/courses", "no trade course lists %s: add it to its own course or to the "
                                       "general course of its group" % trade)
        elif public + own < GRADED_HOURS:
            problem("content/courses", "%s can plan only %d 学时 (public %d + trade %d), need %d"
                    % (trade, public + own, public, own, GRADED_HOURS))


def main():
    files = sorted(glob.glob(os.path.join(COURSES, "*.json")))
    if not files:
        problem("content/courses", "no course files found")
    seen_codes, seen_titles, cover_fills, rows = {}, {}, {}, []
    for path in files:
        row = check_course(path, seen_codes, seen_titles, cover_fills)
        if row:
            rows.append(row)
    if not TRADES:
        problem("core/src/account.rs", "cannot read the TRADES list")
    check_every_trade(rows)
    for category, fills in cover_fills.items():
        if len(set(fills.values())) > 1:
            problem("content/covers", "%s covers should share one background colour, found %s" % (category, fills))
    for f in sorted(glob.glob(os.path.join(COVERS, "*.svg"))):
        code = os.path.basename(f)[:-4]
        if code not in seen_codes:
            problem(os.path.relpath(f, REPO), "cover without a course")
    if problems:
        for p in problems:
            print("ERROR " + p)
        print("%d problem(s) in %d course file(s)" % (len(problems), len(files)))
        return 1
    for r in rows:
        print("ok  %-26s %-6s %2d 学时  %d lessons (%d video)  %2d questions  %d s"
              % (r["code"], r["category"], r["hours"], r["lessons"], r["videos"], r["questions"], r["secs"]))
    print("%d course file(s), all valid" % len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
