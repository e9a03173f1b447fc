-- inventory_months(last_month, n_months, carrying_rate, by_category, locations, categories, suppliers):
-- inventory value, COGS, average inventory, monthly and annual turnover, DIO and holding cost
-- for each of the n months ending at last_month (kpi-book 3, Inventory), each as reported at
-- that month, from the month rows of inventory_month_rows. Stock figures are null for a month
-- without a stock upload; SKUs and events with unknown cost are left out and counted. An empty
-- warehouse (nothing on hand) is worth 0. cogs is null for a month without an orders upload: its
-- shipments are not reported (as its backlog, bridge and fill rate are null).
-- turnover_annual (and dio_days) is null when one of its stock months has an unknown cogs or
-- avg_inventory_value: the sum and the mean of the book's formula are then unknown.
-- The same in units, for files without costs (README): cogs_units (shipment units dated in M,
-- returns netted, null without the month's orders upload), avg_inventory_units,
-- turnover_monthly_units, turnover_annual_units and dio_days_units, by the same formulas and
-- null by the same rules, costs aside.
-- by_category = true gives the same per product category ('(no category)' without one).
-- grain: one row per month (x category). inputs: inventory_month_rows.
create or replace macro inventory_months(last_month, n_months, carrying_rate, by_category, locations, categories, suppliers) as table
with
with_average as (
    -- the mean of the month and the month before when both have a stock upload, else the month's
    select
        *,
        has_stock_upload and lag(has_stock_upload) over by_month
            and lag(month_index) over by_month = month_index - 1 as has_previous,
        case
            when has_previous then (lag(inventory_value) over by_month + inventory_value) / 2
            when has_stock_upload then inventory_value
        end as avg_inventory_value,
        case
            when has_previous then (lag(inventory_units) over by_month + inventory_units) / 2
            when has_stock_upload then inventory_units
        end as avg_inventory_units
    from inventory_month_rows(last_month, n_months, by_category, locations, categories, suppliers)
    window by_month as (partition by group_key order by month_index)
),
with_annual as (
    select
        *,
        cogs / nullif(avg_inventory_value, 0) as turnover_monthly,
        avg_inventory_value * carrying_rate / 12 as holding_cost,
        -- over those of the 12 months ending at M that have a stock upload (n of them)
        sum(cogs) filter (where is_turnover_month) over last_12 as cogs_12m,
        avg(avg_inventory_value) filter (where is_turnover_month) over last_12 as mean_avg_inventory_12m,
        count(*) filter (where is_turnover_month) over last_12 as count_stock_months_12m,
        -- a sum or mean over those months is unknown when one of their figures is
        count(*) filter (where is_turnover_month and (cogs is null or avg_inventory_value is null)) over last_12
            as count_unknown_months_12m,
        cogs_units / nullif(avg_inventory_units, 0) as turnover_monthly_units,
        sum(cogs_units) filter (where is_turnover_month) over last_12 as cogs_units_12m,
        avg(avg_inventory_units) filter (where is_turnover_month) over last_12 as mean_avg_inventory_units_12m
    from with_average
    window last_12 as (partition by group_key order by month_index range between 11 preceding and current row)
),
final as (
    select
        *,
        case when count_unknown_months_12m = 0
            then cogs_12m / nullif(mean_avg_inventory_12m, 0) * 12 / nullif(count_stock_months_12m, 0)
        end as turnover_annual,
        -- in units: a counted month's units are always known (it has both uploads)
        cogs_units_12m / nullif(mean_avg_inventory_units_12m, 0) * 12 / nullif(count_stock_months_12m, 0)
            as turnover_annual_units
    from with_annual
)
select
    *,
    365 / nullif(turnover_annual, 0) as dio_days,
    365 / nullif(turnover_annual_units, 0) as dio_days_units
from final
where report_month >= strftime(strptime(last_month, '%Y-%m') - to_months((n_months - 1)::integer), '%Y-%m')
order by group_key, report_month;
