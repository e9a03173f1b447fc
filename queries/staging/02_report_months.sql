-- report_months(months): each YYYY-MM of a list with its first day and last day t = E(M).
-- grain: one row per month. inputs: none.
create or replace macro report_months(months) as table
select
    report_month,
    strptime(report_month, '%Y-%m')::date as month_start,
    last_day(strptime(report_month, '%Y-%m'))::date as as_of,
from (select unnest(months) as report_month);

-- uploaded_months: which dataset has an active upload for which month.
-- grain: dataset x month. inputs: loads.
create or replace view uploaded_months as
select distinct dataset, month from loads where state = 'active' and month is not null;
