-- sku_history: one SKU month by month over the window, each month as reported at that month:
-- open demand at month end, on hand (null without a stock upload), backorder units (null
-- without both uploads) and shipment units dated in the month (all customers: shipments are
-- kept per SKU and location); with purchase orders (issue 10): receipt units dated in the month
-- and on order (open PO units) at month end, null without the month's PO upload.
-- grain: one row per month. parameters: $window, $sku, $promise_days, $customers, $locations,
-- $categories, $suppliers. inputs: line_states, stock_states, sku_flows_at, po_line_facts,
-- product_facts, uploaded_months.
with
months as (
    select report_month, month_start, as_of from report_months($window)
),
demand as (
    select report_month, sum(open_qty) as open_demand
    from line_states($window, $promise_days, $customers::varchar[], $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where sku = $sku and open_qty > 0
    group by report_month
),
stock_then as (
    select report_month, on_hand
    from stock_states($window, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where sku = $sku
),
shipped as (
    select report_month, shipped_units_month as shipped_units
    from sku_flows_at($window, $locations::varchar[], $categories::varchar[], $suppliers::varchar[])
    where sku = $sku
),
purchases as (
    select f.report_month, sum(f.received_in_month) as receipts_units, sum(f.open_qty) as on_order_units
    from po_line_facts as f
    left join product_facts as p on p.sku = f.sku
    where f.sku = $sku and list_contains($window, f.report_month)
      and filter_keeps($categories::varchar[], p.category, 'category')
      and filter_keeps($suppliers::varchar[], p.supplier, 'supplier')
    group by f.report_month
),
uploads as (
    select
        m.report_month,
        has_upload('purchase_orders', m.report_month) as has_po,
        has_upload('orders', m.report_month) as has_orders,
        has_upload('stock', m.report_month) as has_stock
    from months as m
),
final as (
    select
        m.report_month,
        case when u.has_orders then coalesce(d.open_demand, 0) end as open_demand,
        case when u.has_stock then coalesce(s.on_hand, 0) end as on_hand,
        case when u.has_orders and u.has_stock
            then backorder_units(d.open_demand, s.on_hand) end as backorder_units,
        case when u.has_orders then coalesce(sh.shipped_units, 0) end as shipped_units,
        case when u.has_po then coalesce(po.receipts_units, 0) end as receipts_units,
        case when u.has_po then coalesce(po.on_order_units, 0) end as on_order_units
    from months as m
    join uploads as u using (report_month)
    left join demand as d using (report_month)
    left join stock_then as s using (report_month)
    left join shipped as sh using (report_month)
    left join purchases as po using (report_month)
)
select * from final order by report_month
