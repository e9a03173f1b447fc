-- inventory_months(last_month, n_months, carrying_rate, by_category, locations, categories, suppliers):
-- inventory value, COGS, average inventory, monthly and annual turnover, DIO and holding cost
-- for each of the n months ending at last_month (kpi-book 3, Inventory), each as reported at
-- that month. Stock figures are null for a month without a stock upload; SKUs and events with
-- unknown cost are left out and counted. An empty warehouse (nothing on hand) is worth 0.
-- cogs is null for a month without an orders upload: its shipments are not reported (as its
-- backlog, bridge and fill rate are null).
-- turnover_annual (and dio_days) is null when one of its stock months has an unknown cogs or
-- avg_inventory_value: the sum and the mean of the book's formula are then unknown.
-- The same in units, for files without costs (README): cogs_units (shipment units dated in M,
-- returns netted, null without the month's orders upload), avg_inventory_units,
-- turnover_monthly_units, turnover_annual_units and dio_days_units, by the same formulas and
-- null by the same rules, costs aside.
-- by_category = true gives the same per product category ('(no category)' without one, as the
-- category filter names them: filter_value).
-- Without a location or supplier filter, stock and COGS are read per category from
-- inventory_stock_facts and inventory_cogs_facts (built at load time); with one, computed per SKU.
-- grain: one row per month (x category). inputs: inventory_stock_facts, inventory_cogs_facts,
-- stock_states, sku_flows_at, stock_costs, product_facts, uploaded_months.
create or replace macro inventory_months(last_month, n_months, carrying_rate, by_category, locations, categories, suppliers) as table
with
span as (
    -- the months shown, plus 12 before them: the previous month and the 12-month windows
    select * from report_months(list_transform(range(n_months + 12),
        lambda i: strftime(strptime(last_month, '%Y-%m') - to_months(i::integer), '%Y-%m')))
),
span_list as (
    select list(report_month) as months from span
),
stock_months as (
    select month as report_month from uploaded_months where dataset = 'stock'
),
orders_months as (
    select month as report_month from uploaded_months where dataset = 'orders'
),
stock_values as (
    -- without a location or supplier filter: the per-category facts built at load time
    select
        f.report_month,
        case when by_category then filter_value(f.category, 'category') else 'all' end as group_key,
        sum(f.inventory_units) as inventory_units,
        sum(f.known_value) as known_value,
        sum(f.count_skus_on_hand)::bigint as count_skus_on_hand,
        sum(f.count_skus_unknown_cost)::bigint as count_skus_unknown_cost,
    from inventory_stock_facts as f
    where locations is null and suppliers is null
      and list_contains((select months from span_list), f.report_month)
      and filter_keeps(categories, f.category, 'category')
    group by all
    union all
    select
        report_month,
        case when by_category then filter_value(category, 'category') else 'all' end as group_key,
        sum(on_hand) as inventory_units,
        sum(stock_value) as known_value,
        count(*) filter (where on_hand > 0) as count_skus_on_hand,
        count(*) filter (where on_hand > 0 and unit_cost is null) as count_skus_unknown_cost,
    from stock_states((select months from span_list), locations, categories, suppliers)
    where locations is not null or suppliers is not null
    group by all
),
shipments_in_month as (
    select
        report_month,
        case when by_category then filter_value(category, 'category') else 'all' end as group_key,
        sku,
        shipped_units_month as units,
    from sku_flows_at((select months from span_list), locations, categories, suppliers)
    where shipped_units_month <> 0 and (locations is not null or suppliers is not null)
),
cogs as (
    select
        f.report_month,
        case when by_category then filter_value(f.category, 'category') else 'all' end as group_key,
        sum(f.known_cogs) as known_cogs,
        sum(f.shipped_units) as shipped_units,
        sum(f.count_skus_known_cost)::bigint as count_skus_known_cost,
        sum(f.count_skus_cogs_unknown_cost)::bigint as count_skus_cogs_unknown_cost,
    from inventory_cogs_facts as f
    where locations is null and suppliers is null
      and list_contains((select months from span_list), f.report_month)
      and filter_keeps(categories, f.category, 'category')
    group by all
    union all
    select
        s.report_month,
        s.group_key,
        sum(s.units * sku_unit_cost(c.unit_cost, p.unit_cost)) as known_cogs,
        sum(s.units) as shipped_units,
        count(*) filter (where sku_unit_cost(c.unit_cost, p.unit_cost) is not null) as count_skus_known_cost,
        count(*) filter (where sku_unit_cost(c.unit_cost, p.unit_cost) is null) as count_skus_cogs_unknown_cost,
    from shipments_in_month as s
    -- unit_cost(s, M): the stock cost as of M (stock_costs), then the product master's (kpi-book 1)
    left join stock_costs as c using (report_month, sku)
    left join product_facts as p using (sku)
    group by s.report_month, s.group_key
),
groups as (
    select 'all' as group_key where not by_category
    union
    select group_key from stock_values
    union
    select group_key from cogs
),
monthly as (
    select
        sp.report_month,
        g.group_key,
        sp.month_start,
        year(sp.month_start) * 12 + month(sp.month_start) as month_index,
        sm.report_month is not null as has_stock_upload,
        -- counted in the 12-month figures: a stock upload (the book's n) and, as COGS needs the
        -- month's shipments, an orders upload; a month without either is left out
        sm.report_month is not null and om.report_month is not null as is_turnover_month,
        case when sm.report_month is not null then coalesce(v.inventory_units, 0) end as inventory_units,
        case
            when sm.report_month is null then null
            when coalesce(v.count_skus_on_hand, 0) = 0 then 0
            when v.count_skus_on_hand = v.count_skus_unknown_cost then null
            else v.known_value
        end as inventory_value,
        case when sm.report_month is not null then coalesce(v.count_skus_unknown_cost, 0) end
            as count_skus_unknown_cost,
        case
            when om.report_month is null then null
            when c.report_month is null then 0
            when c.count_skus_known_cost = 0 then null
            else c.known_cogs
        end as cogs,
        coalesce(c.count_skus_cogs_unknown_cost, 0) as count_skus_cogs_unknown_cost,
        case when om.report_month is not null then coalesce(c.shipped_units, 0) end as cogs_units,
    from span as sp
    cross join groups as g
    left join stock_months as sm using (report_month)
    left join orders_months as om using (report_month)
    left join stock_values as v using (report_month, group_key)
    left join cogs as c using (report_month, group_key)
),
with_average as (
    select
        *,
        case
            when has_stock_upload and lag(has_stock_upload) over by_month
                 and lag(month_index) over by_month = month_index - 1
                then (lag(inventory_value) over by_month + inventory_value) / 2
            when has_stock_upload then inventory_value
        end as avg_inventory_value,
        case
            when has_stock_upload and lag(has_stock_upload) over by_month
                 and lag(month_index) over by_month = month_index - 1
                then (lag(inventory_units) over by_month + inventory_units) / 2
            when has_stock_upload then inventory_units
        end as avg_inventory_units,
    from monthly
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
        avg(avg_inventory_units) filter (where is_turnover_month) over last_12 as mean_avg_inventory_units_12m,
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
            as turnover_annual_units,
    from with_annual
)
select
    *,
    365 / nullif(turnover_annual, 0) as dio_days,
    365 / nullif(turnover_annual_units, 0) as dio_days_units,
from final
where report_month >= strftime(strptime(last_month, '%Y-%m') - to_months((n_months - 1)::integer), '%Y-%m')
order by group_key, report_month;
