"""The blocking query as a PL/pgSQL function, created by migration people/0003.

Why a function: planning the blocking statement cost ~0.3 ms a call, as much
as running it. PL/pgSQL keeps the plan of the query inside for the session,
and ``plan_cache_mode = force_generic_plan`` makes it one plan for every
call (left to itself PostgreSQL kept planning each call afresh, because the
generic plan's estimate for "date of birth = any of these" looks worse than
it runs). Every arm reads through an index whatever the values, so the one
plan suits all identities; an arm with nothing to look for (no phone, no
name) costs an empty index probe. Measured at a million people: an email
lookup 450 -> 226 µs, a postcode and name 1,006 -> 407 µs (bench/README.md).

A new version of this function is a new migration that runs the new text
(``CREATE OR REPLACE``); the text here is always the current one.
"""

FUNCTION_NAME = "people_match_candidates"

# The query, with a placeholder per parameter: the function's body, and (with
# client-side parameters) the same query for EXPLAIN in tests and the benchmark.
QUERY = """
    WITH found (person_id, priority) AS (
        SELECT i.person_id, 1 FROM people_identifier i
         WHERE i.kind = 'phone' AND i.value = ANY({phones})
        UNION ALL
        SELECT i.person_id, 1 FROM people_identifier i
         WHERE i.kind = 'email' AND i.value = ANY({emails})
        UNION ALL
        SELECT p.id, 2 FROM people_person p
         WHERE p.date_of_birth = ANY({births}) AND p.merged_into_id IS NULL
           AND similarity(p.search_name, {name}) >= {min_similarity}
        UNION ALL
        SELECT a.person_id, 3 FROM people_personaddress a
          JOIN people_personname n ON n.person_id = a.person_id
         WHERE {postcode} <> '' AND a.postcode = {postcode} AND a.postcode <> ''
           AND similarity(n.normalised, {name}) >= {min_similarity}
    ),
    candidate AS (
        SELECT f.person_id, min(f.priority) AS priority FROM found f GROUP BY f.person_id
         ORDER BY min(f.priority), f.person_id LIMIT {limit}
    )
    SELECT p.id, p.date_of_birth,
           ARRAY(SELECT n.given_name || '|' || n.family_name FROM people_personname n
                  WHERE n.person_id = p.id ORDER BY n.kind <> 'primary', n.id)::text[],
           ARRAY(SELECT i.kind || ':' || i.value FROM people_identifier i
                  WHERE i.person_id = p.id)::text[],
           ARRAY(SELECT a.normalised || '|' || a.postcode FROM people_personaddress a
                  WHERE a.person_id = p.id)::text[]
      FROM candidate c JOIN people_person p ON p.id = c.person_id
     WHERE p.merged_into_id IS NULL
"""

CREATE_FUNCTION = (
    """
CREATE OR REPLACE FUNCTION people_match_candidates(
    p_phones text[], p_emails text[], p_births date[], p_postcode text, p_name text,
    p_min_similarity real, p_limit integer)
RETURNS TABLE (
    person_id bigint, date_of_birth date, names text[], identifiers text[], addresses text[])
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $function$
#variable_conflict use_column
BEGIN
    RETURN QUERY
"""
    + QUERY.format(
        phones="p_phones",
        emails="p_emails",
        births="p_births",
        postcode="p_postcode",
        name="p_name",
        min_similarity="p_min_similarity",
        limit="p_limit",
    )
    + """;
END
$function$;
"""
)

# The query with Django parameters (%(name)s), to EXPLAIN what the function runs.
EXPLAINABLE_QUERY = QUERY.format(
    phones="%(phones)s::text[]",
    emails="%(emails)s::text[]",
    births="%(births)s::date[]",
    postcode="%(postcode)s",
    name="%(name)s",
    min_similarity="%(name_similarity)s::real",
    limit="%(limit)s",
)

DROP_FUNCTION = (
    "DROP FUNCTION IF EXISTS people_match_candidates(text[], text[], date[], text, text, "
    "real, integer);"
)
