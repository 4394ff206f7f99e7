-- macros: the cleaning rules every staging model shares (text, keys, dates, numbers, money).

-- Text as read, trimmed; an empty cell is null.
create or replace macro wv_text(x) as nullif(trim(x), '');

-- A matching key: upper case, letters and digits only ("SES Band 1" -> "SESBAND1").
create or replace macro wv_key(x) as nullif(upper(regexp_replace(coalesce(x, ''), '[^A-Za-z0-9]', '', 'g')), '');

-- A date: ISO YYYY-MM-DD (optionally with a midnight time, as spreadsheets write dates) or
-- Australian day-first DD/MM/YYYY. Never month-first: 12/31/2024 is not a date here.
create or replace macro wv_date(x) as (
    case
        when regexp_full_match(wv_text(x), '\d{4}-\d{1,2}-\d{1,2}([ T]00:00(:00(\.0+)?)?)?')
            then try_strptime(left(wv_text(x), 10), '%Y-%m-%d')
        when regexp_full_match(wv_text(x), '\d{1,2}/\d{1,2}/\d{4}')
            then try_strptime(wv_text(x), '%d/%m/%Y')
    end
)::date;

-- A number; "$1,200,000" style amounts are accepted (dollar sign, thousands separators).
create or replace macro wv_number(x) as try_cast(
    case
        when regexp_full_match(wv_text(x), '[-+]?\$?\s?\d{1,3}(,\d{3})+(\.\d+)?')
            then regexp_replace(wv_text(x), '[$,\s]', '', 'g')
        else regexp_replace(wv_text(x), '^([-+]?)\$\s?', '\1')
    end as double);

-- A whole number (5 and 5.0 are both 5; 5.5 is not a whole number).
create or replace macro wv_integer(x) as
    case when wv_number(x) = round(wv_number(x)) then wv_number(x)::bigint end;

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
