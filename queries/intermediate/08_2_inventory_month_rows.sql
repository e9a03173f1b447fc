-- inventory_month_rows(last_month, n_months, by_category, locations, categories, suppliers): the
-- n months ending at last_month and the 12 before them (the previous month and the 12-month
-- windows), per group ('all', or each product category with by_category, named as the category
-- filter names them: filter_value): whether the month has a stock and an orders upload, and its
-- inventory units and value, COGS in value and units and the counts of SKUs of unknown cost, each
-- as reported at that month and null by the rules of inventory_months. Without a location or
-- supplier filter from the per-category facts built at load time; with one, the same formulas
-- (category_stock, category_cogs) computed from the filtered SKUs.
-- grain: one row per month x group. inputs: inventory_stock_facts, inventory_cogs_facts,
-- category_stock, category_cogs, uploaded_months.
create or replace macro inventory_month_rows(last_month, n_months, by_category, locations, categories, suppliers) as table
with
span as (
    select
        *,
        has_upload('stock', report_month) as has_stock_upload,
        has_upload('orders', report_month) as has_orders_upload
    from report_months(list_transform(range(n_months + 12),
        lambda i: strftime(strptime(last_month, '%Y-%m') - to_months(i::integer), '%Y-%m')))
),
span_list as (
    select list(report_month) as months from span
),
stock_values as (
    select
        report_month,
        case when by_category then filter_value(category, 'category') else 'all' end as group_key,
        sum(inventory_units) as inventory_units,
        sum(known_value) as known_value,
        sum(count_skus_on_hand)::bigint as count_skus_on_hand,
        sum(count_skus_unknown_cost)::bigint as count_skus_unknown_cost
    from (
        select * from inventory_stock_facts
        where locations is null and suppliers is null
          and list_contains((select months from span_list), report_month)
          and filter_keeps(categories, category, 'category')
        union all by name
        select * from category_stock((select months from span_list), locations, categories, suppliers)
        where locations is not null or suppliers is not null
    )
    group by all
),
cogs as (
    select
        report_month,
        case when by_category then filter_value(category, 'category') else 'all' end as group_key,
        sum(known_cogs) as known_cogs,
        sum(shipped_units) as shipped_units,
        sum(count_skus_known_cost)::bigint as count_skus_known_cost,
        sum(count_skus_cogs_unknown_cost)::bigint as count_skus_cogs_unknown_cost
    from (
        select * from inventory_cogs_facts
        where locations is null and suppliers is null
          and list_contains((select months from span_list), report_month)
          and filter_keeps(categories, category, 'category')
        union all by name
        select * from category_cogs((select months from span_list), locations, categories, suppliers)
        where locations is not null or suppliers is not null
    )
    group by all
),
groups as (
    select 'all' as group_key where not by_category
    union
    select group_key from stock_values
    union
    select group_key from cogs
)
select
    sp.report_month,
    g.group_key,
    sp.month_start,
    year(sp.month_start) * 12 + month(sp.month_start) as month_index,
    sp.has_stock_upload,
    -- counted in the 12-month figures: a stock upload (the book's n) and, as COGS needs the
    -- month's shipments, an orders upload; a month without either is left out
    sp.has_stock_upload and sp.has_orders_upload as is_turnover_month,
    case when sp.has_stock_upload then coalesce(v.inventory_units, 0) end as inventory_units,
    case
        when not sp.has_stock_upload then null
        when coalesce(v.count_skus_on_hand, 0) = 0 then 0
        when v.count_skus_on_hand = v.count_skus_unknown_cost then null
        else v.known_value
    end as inventory_value,
    case when sp.has_stock_upload then coalesce(v.count_skus_unknown_cost, 0) end as count_skus_unknown_cost,
    case
        when not sp.has_orders_upload then null
        when c.report_month is null then 0
        when c.count_skus_known_cost = 0 then null
        else c.known_cogs
    end as cogs,
    coalesce(c.count_skus_cogs_unknown_cost, 0) as count_skus_cogs_unknown_cost,
    case when sp.has_orders_upload then coalesce(c.shipped_units, 0) end as cogs_units
from span as sp
cross join groups as g
left join stock_values as v using (report_month, group_key)
left join cogs as c using (report_month, group_key);
