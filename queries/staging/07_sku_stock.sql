-- sku_stock(months, excess_months, locations, categories, suppliers): per SKU on hand at M
-- (months with a stock upload) with its recent shipments, days of supply, dead and excess stock
-- (kpi-book 3, Inventory): "in the N days up to t" = dated after t - N and on or before t;
-- monthly_demand = shipment units dated in the 6 calendar months ending at M, / 6. Net shipments
-- below 0 (more returned than shipped) are no demand: days of supply is then unknown (like no
-- shipments at all) and the excess is never more than what is on hand.
-- grain: report_month x sku. inputs: stock_states, sku_flows_at.
create or replace macro sku_stock(months, excess_months, locations, categories, suppliers) as table
with
stock_now as (
    select * from stock_states(months, locations, categories, suppliers)
),
shipped as (
    select * from sku_flows_at(months, locations, categories, suppliers)
),
final as (
    select
        s.*,
        coalesce(sh.shipped_units_90d, 0) as shipped_units_90d,
        coalesce(sh.shipped_units_6m, 0) as shipped_units_6m,
        coalesce(sh.shipped_units_month, 0) as shipped_units_month,
        greatest(0, coalesce(sh.shipped_units_6m, 0)) / 6 as monthly_demand,
        s.on_hand / nullif(greatest(0, coalesce(sh.shipped_units_90d, 0)) / 90, 0) as days_of_supply,
        s.on_hand > 0 and not coalesce(sh.has_shipment_180d, false) as is_dead,
        greatest(0, s.on_hand - excess_months * greatest(0, coalesce(sh.shipped_units_6m, 0)) / 6) as excess_units,
    from stock_now as s
    left join shipped as sh using (report_month, sku)
)
select
    *,
    case when is_dead then on_hand * unit_cost end as dead_value,
    excess_units * unit_cost as excess_value,
from final;
