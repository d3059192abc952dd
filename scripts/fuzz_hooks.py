"""Schemathesis hooks for scripts/fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

One hook: `filter_failure` drops a `positive_data_acceptance` failure only when the server's 400
names nothing but a rule the contract states in words because OpenAPI cannot state it as a schema.
Every other failure, of every check, fails the run; schemathesis counts the dropped ones in its
summary ("dropped by filter_failure").
"""

import json

import schemathesis


def _problem(response):
    try:
        return json.loads(response.content)
    except (ValueError, TypeError, AttributeError):
        return None


def _has_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _stated_in_words(case, problem):
    """Whether every error of the 400 is one of the rules below (each documented in openapi.yaml)."""
    errors = problem.get("errors") or []
    query = case.query or {}
    body = case.body if isinstance(case.body, dict) else {}
    if not errors:
        # A NUL inside a free-form object (`posture`) or in the name of a property the operation
        # ignores: JSON Schema cannot forbid it without describing every JSON value recursively.
        return problem.get("detail") == "The request body is not valid JSON." and _has_nul(case.body)
    for error in errors:
        pointer = error.get("pointer")
        if pointer == "query:after":
            # `after` is a cursor the server issued (`nextCursor`); a generator can only make up text.
            continue
        if pointer == "query:rolesOnly" and str(query.get("rolesOnly")).lower() == "true" \
                and str(query.get("groupsOnly")).lower() == "true":
            # Both filters at once: a rule between two parameters, which OpenAPI has no way to say.
            continue
        if pointer == "query:groupId" and "groupId" in query and body.get("groupId") not in (None, query.get("groupId")):
            # The group named twice, differently (query and body): again a rule between two inputs.
            continue
        if pointer == "/groupId" and "groupId" not in query and not body.get("groupId"):
            # The group named by neither the query nor the body: each is optional, one is required.
            continue
        if pointer == "/addedRoles" and not body.get("addedRoles") and not body.get("removedRoles"):
            # At least one of two optional lists non-empty: expressible only with anyOf, which would
            # turn the generated Swift type of every client into an either-or.
            continue
        if pointer == "/name" and error.get("detail") == "must not be empty" and isinstance(body.get("name"), str) \
                and not body["name"].strip():
            # A group name of only white space: names are trimmed first, as the document says in words
            # (a pattern for "some character that is not white space" reads differently in each regex dialect).
            continue
        if (error.get("detail") or "").startswith("duplicates the email of item"):
            # The same email twice in one batch, compared case-insensitively and whatever the other
            # fields: `uniqueItems` refuses only identical items.
            continue
        return False
    return True


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if type(failure).__name__ != "RejectedPositiveData" or response.status_code != 400:
        return True
    problem = _problem(response)
    return not (isinstance(problem, dict) and _stated_in_words(case, problem))
