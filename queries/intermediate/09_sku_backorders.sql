-- sku_backorders(months, promise_days, customers, locations, categories, suppliers): per month M
-- of `months` that has both an orders and a stock upload, and per SKU with open demand at
-- t = E(M) as reported at M: demand(s), on_hand(s, M) (0 without a stock row) and
-- backorder_units(s) = max(0, demand - on hand), with the open lines and the oldest order date.
-- Without a customer or location filter they are read from backorder_facts (built at load
-- time); a category or supplier filter keeps the SKUs of the product master's choice. With one,
-- they are computed from the line states and stock states. (Distinct customers and orders are
-- counted by backorders_by_sku, for the one month it shows.)
-- grain: report_month x sku. inputs: backorder_facts, line_states, stock_states, uploaded_months,
-- products.
create or replace macro sku_backorders(months, promise_days, customers, locations, categories, suppliers) as table
with
from_facts as (
    select f.report_month, f.sku, f.open_demand, f.count_lines, f.oldest_order_date, f.on_hand, f.backorder_units
    from backorder_facts as f
    left join product_facts as p on p.sku = f.sku
    where customers is null and locations is null
      and list_contains(months, f.report_month)
      and filter_keeps(categories, p.category, 'category')
      and filter_keeps(suppliers, p.supplier, 'supplier')
),
demand as (
    select
        report_month,
        sku,
        sum(open_qty) as open_demand,
        count(*) as count_lines,
        min(order_date) as oldest_order_date
    from line_states(months, promise_days, customers, locations, categories, suppliers)
    where (customers is not null or locations is not null) and open_qty > 0
    group by report_month, sku
),
computed as (
    select
        d.*,
        coalesce(s.on_hand, 0) as on_hand,
        backorder_units(d.open_demand, s.on_hand) as backorder_units  -- as backorder_facts
    from demand as d
    left join stock_states(months, locations, categories, suppliers) as s using (report_month, sku)
    where has_backorder_uploads(d.report_month)
)
select * from from_facts
union all
select * from computed;
