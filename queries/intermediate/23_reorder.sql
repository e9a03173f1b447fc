-- sku_reorder(at_month, z, review_days, default_lead_days, abc_a, abc_b): per SKU, as reported at
-- M = at_month (t = E(M)), the replenishment figures (issue 10):
--   d = daily demand (sku_demand: net ordered units of the lines ordered in the 90 days up to t / 90)
--   sigma = sample standard deviation of monthly demand over the last 12 months with an orders
--     upload (sku_demand; none with fewer than 2 such months: no safety stock)
--   L = lead time in days: the measured one (sku_lead_times: unit-weighted mean over the receipts of
--     the 12 months ending at M, of the product master's supplier, else of the supplier with the
--     longest), else products.lead_time_days, else default_lead_days; lead_time_source says which
--   safety stock = z x sigma x sqrt(L / 30);  reorder point = d x L + safety stock;
--   order-up-to = d x (L + review_days) + safety stock
--   position = on hand (stock_on_hand at M) + on order (po_on_order at t; 0 when M has no PO
--     upload, on_order_known false) - open demand (open units of the SKU's lines at t, line_facts)
--   suggested_qty = order-up-to - position when position <= reorder point, else 0; rounded to 6
--     decimals like every unit figure; value at unit_cost(s, M) (sku_unit_cost)
-- with the SKU's ABC-XYZ class (sku_abc_xyz). No rows when M lacks its orders or stock upload
-- (on hand or open demand unknown).
-- grain: one row per SKU with demand in the 12 months or open demand at t. inputs: sku_demand,
-- sku_abc_xyz, line_facts, stock_on_hand, stock_costs, po_on_order, sku_lead_times,
-- product_facts, uploaded_months.
create or replace macro sku_reorder(at_month, z, review_days, default_lead_days, abc_a, abc_b) as table
with
bounds as (
    select as_of from report_months([at_month])
),
known as (
    select
        has_backorder_uploads(at_month) as has_files,
        has_upload('purchase_orders', at_month) as has_po_file
),
open_demand as (
    select sku, sum(open_qty) as open_demand
    from line_facts
    where report_month = at_month and open_qty > 0
    group by sku
),
classes as (
    select sku, daily_demand, mean_monthly_demand, sigma_monthly_demand, abc_class, xyz_class, abc_xyz_class
    from sku_abc_xyz(at_month, abc_a, abc_b)
),
skus as (
    select sku from classes where daily_demand <> 0 or mean_monthly_demand <> 0
    union
    select sku from open_demand
),
measured as (
    -- the product master's supplier's lead time, else the longest measured
    select l.sku, l.lead_time_days_measured
    from sku_lead_times(at_month) as l
    left join product_facts as p on p.sku = l.sku
    qualify row_number() over (partition by l.sku
        order by (l.supplier is not distinct from p.supplier) desc, l.lead_time_days_measured desc) = 1
),
inputs as (
    select
        s.sku,
        coalesce(c.daily_demand, 0) as daily_demand,
        c.sigma_monthly_demand,
        coalesce(m.lead_time_days_measured, p.lead_time_days, default_lead_days) as lead_time_days,
        case
            when m.lead_time_days_measured is not null then 'measured'
            when p.lead_time_days is not null then 'product master'
            else 'default'
        end as lead_time_source,
        coalesce(h.on_hand, 0) as on_hand,
        coalesce(o.on_order_units, 0) as on_order,
        o.next_expected_date,
        coalesce(o.count_late_lines, 0) as count_late_po_lines,
        coalesce(d.open_demand, 0) as open_demand,
        sku_unit_cost(k.unit_cost, p.unit_cost) as unit_cost,
        c.abc_class,
        c.xyz_class,
        c.abc_xyz_class
    from skus as s
    left join classes as c using (sku)
    left join open_demand as d using (sku)
    left join measured as m using (sku)
    left join po_on_order((select as_of from bounds)) as o using (sku)
    left join stock_on_hand as h on h.report_month = at_month and h.sku = s.sku
    left join stock_costs as k on k.report_month = at_month and k.sku = s.sku
    left join product_facts as p on p.sku = s.sku
),
levels as (
    select
        *,
        z * coalesce(sigma_monthly_demand, 0) * sqrt(lead_time_days / 30) as safety_stock,
        on_hand + on_order - open_demand as inventory_position
    from inputs
),
final as (
    select
        *,
        daily_demand * lead_time_days + safety_stock as reorder_point,
        daily_demand * (lead_time_days + review_days) + safety_stock as order_up_to
    from levels
)
select
    *,
    case when round(inventory_position, 6) <= round(reorder_point, 6)
        then greatest(0, round(order_up_to - inventory_position, 6)) else 0 end as suggested_qty,
    case when round(inventory_position, 6) <= round(reorder_point, 6)
        then greatest(0, round(order_up_to - inventory_position, 6)) else 0 end * unit_cost as suggested_value,
    (select has_po_file from known) as on_order_known
from final
where (select has_files from known);

-- reorder_to_order(...): the rows of the reorder list, as reorder_list and reorder_by_supplier
-- both read them: the SKUs of sku_reorder with a suggested quantity above 0, in the chosen ABC-XYZ
-- cells (classes: ['AX', ...], null = all) and passing the category and supplier filters, with
-- their product master's supplier, description and category; the buyer's columns in the list's order.
-- grain: one row per SKU to order. inputs: sku_reorder, product_facts.
create or replace macro reorder_to_order(month, service_z, review_days, default_lead_days, abc_a, abc_b,
                                         classes, categories, suppliers) as table
select
    p.supplier,
    r.sku,
    p.description,
    p.category,
    r.abc_xyz_class,
    r.on_hand,
    r.on_order,
    r.on_order_known,
    r.next_expected_date,
    r.count_late_po_lines,
    r.open_demand,
    r.inventory_position,
    r.daily_demand,
    r.sigma_monthly_demand,
    r.lead_time_days,
    r.lead_time_source,
    r.safety_stock,
    r.reorder_point,
    r.order_up_to,
    r.suggested_qty,
    r.unit_cost,
    r.suggested_value,
    r.abc_class,
    r.xyz_class
from sku_reorder(month, service_z, review_days, default_lead_days, abc_a, abc_b) as r
left join product_facts as p using (sku)
where r.suggested_qty > 0
  and (classes is null or list_contains(classes, r.abc_xyz_class))
  and filter_keeps(categories, p.category, 'category')
  and filter_keeps(suppliers, p.supplier, 'supplier');
