"""Renders chat templates the way Hugging Face transformers does, with Python's jinja2.

transformers compiles a chat template in jinja2's ImmutableSandboxedEnvironment with trim_blocks and
lstrip_blocks and the loopcontrols extension; its tojson filter is json.dumps with ensure_ascii=False
(keyword arguments indent, separators, sort_keys passed on); the globals raise_exception (raises a
TemplateError) and strftime_now (the local time, formatted); and it renders with messages,
add_generation_prompt, the tokenizer's special tokens (bos_token, eos_token, ...) and the caller's extra
keyword arguments.

Input on stdin, one JSON object: {"tokenizer_config": PATH, "cases": [{"messages": [...],
"add_generation_prompt": bool, "kwargs": {...}}, ...]}. Output on stdout: a JSON array with, per case,
{"rendered": TEXT} or {"error": MESSAGE}.
"""
import json
import sys
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return datetime.now().strftime(fmt)


def token_text(token):
    """tokenizer_config.json writes a special token as a string or as an AddedToken object."""
    if isinstance(token, dict):
        return token.get("content")
    return token


def template_of(config):
    template = config["chat_template"]
    if isinstance(template, list):
        named = {t["name"]: t["template"] for t in template}
        return named.get("default", template[0]["template"])
    return template


def main():
    request = json.load(sys.stdin)
    with open(request["tokenizer_config"], encoding="utf-8") as f:
        config = json.load(f)
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    template = env.from_string(template_of(config))
    special = {}
    for name in ("bos_token", "eos_token", "unk_token", "pad_token"):
        if config.get(name) is not None:
            special[name] = token_text(config[name])
    out = []
    for case in request["cases"]:
        try:
            rendered = template.render(messages=case["messages"], add_generation_prompt=case["add_generation_prompt"],
                                       **special, **case.get("kwargs", {}))
            out.append({"rendered": rendered})
        except jinja2.exceptions.TemplateError as e:
            out.append({"error": str(e)})
    json.dump(out, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
