"""matching: prompts paired with answers, plus distractors (the data shape and scoring rules: quizzes.types)."""

from __future__ import annotations

from fractions import Fraction

from quizzes.types.base import MAX_ITEMS, ResponseError, shuffled, text_list


def choices(question) -> list[str]:
    """Every answer a prompt may be matched with (each text once): the pairs' answers, then the distractors."""
    seen, out = set(), []
    for text in [p["answer"] for p in question.details.get("pairs") or []] + list(
        question.details.get("distractors") or []
    ):
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def validate(question) -> dict[str, str]:
    details = question.details
    pairs = details.get("pairs")
    if not isinstance(pairs, list) or not all(isinstance(p, dict) for p in pairs):
        return {"details": "details.pairs: a list of {prompt, answer} objects."}
    prompts, problem = text_list([p.get("prompt") for p in pairs], what="Prompts", minimum=2, maximum=MAX_ITEMS)
    if problem:
        return {"details": problem}
    answers, problem = text_list([p.get("answer") for p in pairs], what="Answers", minimum=2, maximum=MAX_ITEMS,
                                 distinct=False)  # fmt: skip
    if problem:
        return {"details": problem}
    distractors, problem = text_list(details.get("distractors") or [], what="Distractors", minimum=0,
                                     maximum=MAX_ITEMS)  # fmt: skip
    if problem:
        return {"details": problem}
    answer_keys = {a.casefold() for a in answers}
    if any(d.casefold() in answer_keys for d in distractors):
        return {"details": "A distractor is the same as one of the answers."}
    unknown = set(details) - {"pairs", "distractors"}
    if unknown:
        return {"details": f"Unknown field(s) for this type: {', '.join(sorted(unknown))}."}
    details["pairs"] = [{"prompt": p, "answer": a} for p, a in zip(prompts, answers, strict=True)]
    if distractors:
        details["distractors"] = distractors
    else:
        details.pop("distractors", None)
    return {}


def meta(question) -> dict:
    return {"prompts": len(question.details.get("pairs") or []), "choices": choices(question)}


def clean_response(raw, info: dict, perm=None):
    """[answer text or null per prompt]; all null is no answer."""
    if raw is None:
        return None
    count, allowed = info.get("prompts", 0), set(info.get("choices") or [])
    if not isinstance(raw, list) or len(raw) != count:
        raise ResponseError(f"response: a list of {count} answers (or null), one per prompt.")
    if any(item is not None and item not in allowed for item in raw):
        raise ResponseError("response: each answer must be one of the question's answers.")
    return raw if any(item is not None for item in raw) else None


def mark(question, response) -> Fraction:
    pairs = question.details.get("pairs") or []
    if not pairs or not isinstance(response, list):
        return Fraction(0)
    right = sum(1 for pair, given in zip(pairs, response, strict=False) if given == pair["answer"])
    return Fraction(right, len(pairs))


def exam_choices(question, seed: str) -> list[str]:
    return shuffled(choices(question), seed)


def display(question, response) -> str:
    pairs = question.details.get("pairs") or []
    response = response if isinstance(response, list) else []
    return "; ".join(
        f"{p['prompt']} → {response[i] if i < len(response) and response[i] is not None else '—'}"
        for i, p in enumerate(pairs)
    )


def key_display(question) -> str:
    return display(question, [p["answer"] for p in question.details.get("pairs") or []])
