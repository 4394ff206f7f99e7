-- macros: the cleaning rules every staging model shares (text, keys, dates, numbers, money).
-- Each reader has two forms: wv_X(x) reads a value as written; wv_X_of(t) reads text already
-- trimmed by wv_text. The staging models trim every value once and use the _of forms, so that
-- no value is trimmed again for each rule it is read by.

-- Whether a character code is a space that wv_text trims: exactly the characters the regular
-- expression class [\s\p{Z}] matches (tests/test_staging.py checks every code point).
create or replace macro wv_is_space(code) as code in (
    9, 10, 12, 13, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201,
    8202, 8232, 8233, 8239, 8287, 12288);

-- Text as read, trimmed of spaces, tabs and line breaks at either end; an empty cell is null.
-- Only a value that starts or ends with one goes through the regular expression.
create or replace macro wv_text(x) as
    case when wv_is_space(ascii(x)) or wv_is_space(ascii(right(x, 1)))
        then nullif(regexp_replace(x, '^[\s\p{Z}]+|[\s\p{Z}]+$', '', 'g'), '')
        else nullif(x, '') end;

-- A matching key: upper case, letters and digits only ("SES Band 1" -> "SESBAND1").
create or replace macro wv_key(x) as nullif(upper(regexp_replace(coalesce(x, ''), '[^A-Za-z0-9]', '', 'g')), '');

-- A title as a key: lower case, accents and "&" ("and") aside, letters and digits only
-- ("Director, Policy & Strategy" -> "directorpolicyandstrategy"); null stays null.
create or replace macro wv_title_key(x) as
    regexp_replace(lower(strip_accents(replace(x, '&', 'and'))), '[^a-z0-9]', '', 'g');

-- A date: ISO YYYY-MM-DD (optionally with a midnight time, as spreadsheets write dates) or
-- Australian day-first DD/MM/YYYY, in the years 1000-9999. Never month-first: 12/31/2024 is
-- not a date here.
create or replace macro wv_date_of(t) as (
    case
        when regexp_full_match(t, '[1-9]\d{3}-\d{1,2}-\d{1,2}([ T]00:00(:00(\.0+)?)?)?')
            then try_strptime(regexp_extract(t, '^[0-9-]+'), '%Y-%m-%d')
        when regexp_full_match(t, '\d{1,2}/\d{1,2}/[1-9]\d{3}')
            then try_strptime(t, '%d/%m/%Y')
    end
)::date;
create or replace macro wv_date(x) as wv_date_of(wv_text(x));

-- A finite number, or null (not a number, or infinite).
create or replace macro wv_finite(n) as case when isfinite(n) then n end;

-- A number; "$1,200,000" style amounts are accepted (dollar sign, thousands separators).
-- Words a cast would take for a number ("nan", "inf", "infinity") are not numbers here.
-- Text a cast reads as it is (no comma, no dollar sign: most values) is cast once.
create or replace macro wv_number_of(t) as wv_finite(coalesce(try_cast(t as double), try_cast(
    case
        when regexp_full_match(t, '[-+]?\$?\s?\d{1,3}(,\d{3})+(\.\d+)?')
            then regexp_replace(t, '[$,\s]', '', 'g')
        else regexp_replace(t, '^([-+]?)\$\s?', '\1')
    end as double)));
create or replace macro wv_number(x) as wv_number_of(wv_text(x));

-- A whole number (5 and 5.0 are both 5; 5.5 is not a whole number), of a number read already.
create or replace macro wv_whole(n) as case when n = round(n) then try_cast(n as bigint) end;
create or replace macro wv_integer(x) as wv_whole(wv_number(x));

-- The reason a value that is present could not be read, or null when it was read: `text` is
-- the value trimmed (wv_text), `parsed` what a reader made of it.
create or replace macro wv_problem(column_name, text, parsed, expected) as
    case when text is not null and parsed is null
        then column_name || ': ''' || text || ''' is not ' || expected end;

-- The expectations of wv_problem for each kind of value, worded for the person fixing the file.
create or replace macro wv_expect_date() as
    'a date (write YYYY-MM-DD or DD/MM/YYYY; dates are never read month-first)';
create or replace macro wv_expect_number() as 'a number';
create or replace macro wv_expect_integer() as 'a whole number';
create or replace macro wv_expect_money() as 'an amount (write 1200000 or $1,200,000)';
