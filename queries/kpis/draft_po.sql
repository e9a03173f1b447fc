-- draft_po: the reorder list's rows (reorder_list, with its columns and order) of one supplier of
-- the product master, $supplier ('(no supplier)': the SKUs without one): a buyer's draft purchase
-- order. $classes (['AX', 'BY', ...], null = all) keeps those ABC-XYZ cells, as in reorder_list.
-- Empty when M lacks its orders or stock upload.
-- grain: one row per SKU to order. parameters: $month, $service_z, $review_days, $default_lead_days,
-- $abc_a, $abc_b, $classes, $supplier, $categories, $suppliers. inputs: reorder_to_order.
select
    r.supplier,
    r.sku,
    r.description,
    r.category,
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
from reorder_to_order($month, $service_z, $review_days, $default_lead_days, $abc_a, $abc_b,
                      $classes::varchar[], $categories::varchar[], $suppliers::varchar[]) as r
where filter_value(r.supplier, 'supplier') = $supplier
order by r.suggested_value desc nulls last, r.sku
