-- macros: the cleaning rules every staging model shares (text, keys, dates, numbers, money).

-- Text as read, trimmed of spaces, tabs and line breaks at either end; an empty cell is null.
create or replace macro wv_text(x) as
    nullif(regexp_replace(x, '^[\s\p{Z}]+|[\s\p{Z}]+$', '', 'g'), '');

-- A matching key: upper case, letters and digits only ("SES Band 1" -> "SESBAND1").
create or replace macro wv_key(x) as nullif(upper(regexp_replace(coalesce(x, ''), '[^A-Za-z0-9]', '', 'g')), '');

-- A date: ISO YYYY-MM-DD (optionally with a midnight time, as spreadsheets write dates) or
-- Australian day-first DD/MM/YYYY, in the years 1000-9999. Never month-first: 12/31/2024 is
-- not a date here.
create or replace macro wv_date(x) as (
    case
        when regexp_full_match(wv_text(x), '[1-9]\d{3}-\d{1,2}-\d{1,2}([ T]00:00(:00(\.0+)?)?)?')
            then try_strptime(regexp_extract(wv_text(x), '^[0-9-]+'), '%Y-%m-%d')
        when regexp_full_match(wv_text(x), '\d{1,2}/\d{1,2}/[1-9]\d{3}')
            then try_strptime(wv_text(x), '%d/%m/%Y')
    end
)::date;

-- A finite number, or null (not a number, or infinite).
create or replace macro wv_finite(n) as case when isfinite(n) then n end;

-- A number; "$1,200,000" style amounts are accepted (dollar sign, thousands separators).
-- Words a cast would take for a number ("nan", "inf", "infinity") are not numbers here.
create or replace macro wv_number(x) as wv_finite(try_cast(
    case
        when regexp_full_match(wv_text(x), '[-+]?\$?\s?\d{1,3}(,\d{3})+(\.\d+)?')
            then regexp_replace(wv_text(x), '[$,\s]', '', 'g')
        else regexp_replace(wv_text(x), '^([-+]?)\$\s?', '\1')
    end as double));

-- A whole number (5 and 5.0 are both 5; 5.5 is not a whole number).
create or replace macro wv_integer(x) as
    case when wv_number(x) = round(wv_number(x)) then try_cast(wv_number(x) as bigint) end;

-- The reason a value that is present could not be read, or null when it was read.
create or replace macro wv_problem(column_name, raw, parsed, expected) as
    case when wv_text(raw) is not null and parsed is null
        then column_name || ': ''' || wv_text(raw) || ''' is not ' || expected end;

-- The expectations of wv_problem for each kind of value, worded for the person fixing the file.
create or replace macro wv_expect_date() as
    'a date (write YYYY-MM-DD or DD/MM/YYYY; dates are never read month-first)';
create or replace macro wv_expect_number() as 'a number';
create or replace macro wv_expect_integer() as 'a whole number';
create or replace macro wv_expect_money() as 'an amount (write 1200000 or $1,200,000)';
