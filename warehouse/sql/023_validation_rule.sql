-- The rule each result is about (the expectation's meta.rule, unique within its suite). Without
-- it, results of one run were summed over (suite, expectation type, column): the three range
-- checks on `value` became one row, and validation_results counted 20 expectations of
-- targets_rows where the suite (and its Data Docs page) has 23. Older rows get the rule their
-- details name.
alter table validation_results add column if not exists rule varchar;
update validation_results set rule = json_extract_string(details, '$.rule') where rule is null;
