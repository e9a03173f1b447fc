-- sku_stock(months, excess_months, locations, categories, suppliers): per SKU on hand at M
-- (months with a stock upload) with its recent shipments, days of supply, dead and excess stock
-- (kpi-book 3, Inventory): "in the N days up to t" = dated after t - N and on or before t;
-- monthly_demand = shipment units dated in the 6 calendar months ending at M, / 6. Net shipments
-- below 0 (more returned than shipped) are no demand: days of supply is then unknown (like no
-- shipments at all) and the excess is never more than what is on hand. When the month's
-- shipments are not all reported (shipment_history: an orders file of the 6 months missing), the
-- figures built on them (shipped units, monthly demand, days of supply, dead, excess) are
-- unknown (null): without the orders file every SKU would look dead.
-- grain: report_month x sku. inputs: stock_states, sku_flows_at, shipment_history.
create or replace macro sku_stock(months, excess_months, locations, categories, suppliers) as table
with
stock_now as (
    select * from stock_states(months, locations, categories, suppliers)
),
shipped as (
    select * from sku_flows_at(months, locations, categories, suppliers)
),
history as (
    select report_month from shipment_history(months) where is_known
),
flows as (
    -- null (unknown) in a month whose shipments are not all reported
    select
        s.*,
        case when h.report_month is not null then coalesce(sh.shipped_units_90d, 0) end as shipped_units_90d,
        case when h.report_month is not null then coalesce(sh.shipped_units_6m, 0) end as shipped_units_6m,
        case when h.report_month is not null then coalesce(sh.shipped_units_month, 0) end as shipped_units_month,
        case when h.report_month is not null then coalesce(sh.has_shipment_180d, false) end as has_shipment_180d
    from stock_now as s
    left join shipped as sh using (report_month, sku)
    left join history as h using (report_month)
),
final as (
    -- (greatest ignores nulls: an unknown stays unknown through the explicit cases)
    select
        * exclude (has_shipment_180d),
        case when shipped_units_6m is not null then greatest(0, shipped_units_6m) / 6 end as monthly_demand,
        on_hand / nullif(greatest(0, shipped_units_90d) / 90, 0) as days_of_supply,
        on_hand > 0 and not has_shipment_180d as is_dead,
        case when shipped_units_6m is not null
            then greatest(0, on_hand - excess_months * greatest(0, shipped_units_6m) / 6) end as excess_units
    from flows
)
select
    *,
    case when is_dead then on_hand * unit_cost end as dead_value,
    excess_units * unit_cost as excess_value
from final;

-- sku_stock_list(month, ...): sku_stock's rows of one month with the columns the stock lists show
-- (stock_by_sku, dead_and_excess_by_sku), in their order.
-- grain: one row per SKU on hand. inputs: sku_stock.
create or replace macro sku_stock_list(month, excess_months, locations, categories, suppliers) as table
select
    sku,
    description,
    category,
    supplier,
    on_hand,
    unit_cost,
    stock_value,
    shipped_units_90d,
    monthly_demand,
    days_of_supply,
    is_dead,
    dead_value,
    excess_units,
    excess_value
from sku_stock([month], excess_months, locations, categories, suppliers);
