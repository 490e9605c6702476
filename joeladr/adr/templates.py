"""New-ADR templates: MADR 4, Nygard (adr-tools), and joelclaw's own style."""

from __future__ import annotations

from joeladr.errors import UsageError

JOELCLAW = """\
---
status: {status}
date: {date}
deciders: {deciders_yaml}
tags: []
---

# ADR-{number:04d}: {title}

## Context

What is the issue that motivates this decision?

## Evaluation Criteria

1. **First criterion** — the question this decision must answer well

## Source Material

- [ ] Video: YouTube `VIDEO_ID_11` — what it covers

## Decision

**Pending.**

## Options Under Consideration

### Option A: First option
What it means.

### Option B: Second option
What it means.

## Consequences

What becomes easier or harder because of this change.
"""

MADR = """\
---
status: {status}
date: {date}
decision-makers: {deciders_yaml}
---

# {title}

## Context and Problem Statement

Describe the context and problem statement in two or three sentences.

## Decision Drivers

* First driver — the force or concern behind it

## Considered Options

* Option A: first option
* Option B: second option

## Decision Outcome

Chosen option: "", because ...

### Consequences

* Good, because ...
* Bad, because ...

## Pros and Cons of the Options

### Option A: first option

* Good, because ...
* Bad, because ...

### Option B: second option

* Good, because ...
* Bad, because ...
"""

NYGARD = """\
# {number}. {title}

Date: {date}

## Status

{status_title}

## Context

The issue motivating this decision, and any context that influences or constrains it.

## Decision

The change that we're proposing or have agreed to implement.

## Consequences

What becomes easier or more difficult to do because of this change.
"""

TEMPLATES = {"joelclaw": JOELCLAW, "madr": MADR, "nygard": NYGARD}


def render_template(name: str, *, number: int, title: str, status: str, date: str, deciders: str) -> str:
    template = TEMPLATES.get(name.lower())
    if template is None:
        raise UsageError(f"unknown template '{name}'", hint=f"choose one of: {', '.join(TEMPLATES)}")
    deciders_yaml = deciders if deciders else "[]"
    safe_title = title.replace("\n", " ")
    return template.format(
        number=number,
        title=safe_title,
        status=status,
        status_title=status.capitalize(),
        date=date,
        deciders_yaml=deciders_yaml,
    )
