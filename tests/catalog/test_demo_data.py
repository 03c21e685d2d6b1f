"""The demo dataset: deterministic, consistent across tables, and as realistic as it claims to be."""

import datetime as dt
import time
from decimal import Decimal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from stockwise.catalog.demo.vocabulary import FX_PER_EUR
from stockwise.catalog.demo_data import DemoDataset, generate_demo_dataset

END = dt.date(2025, 6, 30)
START = END - dt.timedelta(days=729)
KEY = ["sku", "location_code"]
TABLES = ("locations", "suppliers", "products", "product_suppliers", "sales", "stock", "profiles")


@pytest.fixture(scope="module")
def small() -> DemoDataset:
    return generate_demo_dataset(seed=42, scale=0.05, end_date=END)


@pytest.fixture(scope="module")
def medium() -> DemoDataset:
    """Big enough (~400 products, ~750 series) for the statistical checks to be stable."""
    return generate_demo_dataset(seed=3, scale=0.2, end_date=END)


def _number(value: object) -> float:
    """Polars types aggregates as a wide union; these checks are about numbers."""
    assert isinstance(value, int | float)
    return float(value)


def _date(value: object) -> dt.date:
    assert isinstance(value, dt.date)
    return value


def _series_stats(sales: pl.DataFrame) -> pl.DataFrame:
    """ADI (mean interval between selling days) and CV² of selling-day quantities per series."""
    return sales.group_by(KEY).agg(
        selling_days=pl.len(),
        adi=(pl.col("date").max() - pl.col("date").min()).dt.total_days() / (pl.len() - 1),
        cv2=(pl.col("quantity").std(ddof=0) / pl.col("quantity").mean()) ** 2,
    )


def _syntetos_boylan(stats: pl.DataFrame) -> pl.DataFrame:
    frequent, steady = pl.col("adi") < 1.32, pl.col("cv2") < 0.49
    return stats.with_columns(
        measured=pl.when(frequent & steady)
        .then(pl.lit("smooth"))
        .when(frequent)
        .then(pl.lit("erratic"))
        .when(steady)
        .then(pl.lit("intermittent"))
        .otherwise(pl.lit("lumpy"))
    )


def test_same_seed_gives_identical_frames(small: DemoDataset) -> None:
    again = generate_demo_dataset(seed=42, scale=0.05, end_date=END)
    for table in TABLES:
        assert_frame_equal(getattr(small, table), getattr(again, table))


def test_different_seed_gives_different_data(small: DemoDataset) -> None:
    other = generate_demo_dataset(seed=43, scale=0.05, end_date=END)
    assert not small.products.equals(other.products)
    assert not small.sales.equals(other.sales)
    assert not small.suppliers.equals(other.suppliers)


def test_sizes_scale_with_scale(small: DemoDataset, medium: DemoDataset) -> None:
    assert small.products.height == 100
    assert medium.products.height == 400
    assert small.suppliers.height == 5  # the floor
    assert medium.suppliers.height == 6
    assert 3 * small.sales.height < medium.sales.height < 5 * small.sales.height
    assert small.locations.height == medium.locations.height == 3


def test_rejects_nonsense_arguments() -> None:
    with pytest.raises(ValueError, match="scale"):
        generate_demo_dataset(scale=0, end_date=END)
    with pytest.raises(ValueError, match="years"):
        generate_demo_dataset(years=0.2, end_date=END)


def test_locations_are_one_warehouse_and_two_stores(small: DemoDataset) -> None:
    assert small.locations.columns == ["code", "name", "kind"]
    assert small.locations.row(0) == ("DC-01", "Central Warehouse", "warehouse")
    assert small.locations["kind"].to_list().count("store") == 2


def test_suppliers_are_believable(medium: DemoDataset) -> None:
    suppliers = medium.suppliers
    assert suppliers.columns == ["code", "name", "currency", "email"]
    assert suppliers["code"].to_list()[:2] == ["SUP-001", "SUP-002"]
    assert suppliers["name"].n_unique() == suppliers["email"].n_unique() == suppliers.height
    assert set(suppliers["currency"]) <= {"EUR", "USD", "GBP"}
    assert suppliers["email"].str.contains(r"^orders@[a-z]+\.[a-z.]+$").all()


def test_products_have_unique_prefixed_skus_and_a_few_with_a_slash(medium: DemoDataset) -> None:
    products = medium.products
    assert products["sku"].n_unique() == products.height
    slashed = products.filter(pl.col("sku").str.contains("/", literal=True))
    assert 1 <= slashed.height <= 0.05 * products.height
    assert slashed["sku"].str.starts_with("CAB/").all()
    plain = products.filter(~pl.col("sku").str.contains("/", literal=True))
    assert plain["sku"].str.contains(r"^[A-Z]{3}-\d{5}$").all()
    assert products["category"].n_unique() == 12
    assert set(products["unit"]) == {"ea", "kg", "m"}
    assert _number((products["unit"] == "ea").mean()) > 0.8


def test_prices_are_exact_money_above_cost(medium: DemoDataset) -> None:
    products = medium.products
    assert products.schema["unit_cost"] == pl.Decimal(12, 2)
    assert products.schema["unit_price"] == pl.Decimal(12, 2)
    assert isinstance(products["unit_price"][0], Decimal)
    assert (products["unit_price"] > products["unit_cost"]).all()
    margin = 1 - products["unit_cost"].cast(pl.Float64) / products["unit_price"].cast(pl.Float64)
    assert _number(margin.min()) >= 0.2
    assert _number(margin.max()) <= 0.75  # 70% before rounding the shelf price up


def test_exactly_one_primary_supplier_per_product(medium: DemoDataset) -> None:
    links = medium.product_suppliers
    per_product = links.group_by("sku").agg(
        primaries=pl.col("is_primary").sum(), suppliers=pl.len(), distinct=pl.col("supplier_code").n_unique()
    )
    assert per_product.height == medium.products.height
    assert (per_product["primaries"] == 1).all()
    assert per_product["suppliers"].is_between(1, 3).all()
    assert (per_product["distinct"] == per_product["suppliers"]).all()
    assert set(links["supplier_code"]) <= set(medium.suppliers["code"])


def test_supplier_conditions_are_in_range(medium: DemoDataset) -> None:
    links = medium.product_suppliers
    assert links["lead_time_days"].is_between(3, 60).all()
    assert (links["lead_time_std_days"] >= 0).all()
    assert (links["lead_time_std_days"] <= 0.3 * links["lead_time_days"] + 0.05).all()
    assert (links["moq"] % links["pack_size"] == 0).all()
    assert set(links["pack_size"]) <= {1, 6, 12, 24, 50, 100}


def test_supplier_prices_follow_cost_in_the_supplier_currency(medium: DemoDataset) -> None:
    links = (
        medium.product_suppliers.join(medium.products.select("sku", "unit_cost"), on="sku")
        .join(medium.suppliers.select(pl.col("code").alias("supplier_code"), "currency"), on="supplier_code")
        .with_columns(fx=pl.col("currency").replace_strict(FX_PER_EUR))
        .with_columns(
            ratio=pl.col("unit_price").cast(pl.Float64) / pl.col("fx") / pl.col("unit_cost").cast(pl.Float64)
        )
    )
    primary = links.filter("is_primary")
    assert ((primary["ratio"] - 1).abs() < 0.02).all()  # only rounding to cents
    assert links.filter(~pl.col("is_primary"))["ratio"].is_between(0.88, 1.12).all()


def test_sales_rows_are_clean(small: DemoDataset) -> None:
    sales = small.sales
    assert sales.columns == ["date", "sku", "location_code", "quantity", "revenue"]
    assert (sales["quantity"] > 0).all()
    assert sales.select([*KEY, "date"]).is_duplicated().sum() == 0
    assert _date(sales["date"].min()) >= START
    assert _date(sales["date"].max()) <= END
    assert sales.schema["revenue"] == pl.Decimal(14, 2)


def test_quantities_are_whole_for_pieces_and_grams_for_bulk(small: DemoDataset) -> None:
    sales = small.sales.join(small.products.select("sku", "unit"), on="sku")
    pieces = sales.filter(pl.col("unit") == "ea")["quantity"]
    assert (pieces == pieces.round(0)).all()
    bulk = sales.filter(pl.col("unit") != "ea")["quantity"]
    assert bulk.len() > 0
    assert ((bulk * 1000 - (bulk * 1000).round(0)).abs() < 1e-6).all()


def test_revenue_is_quantity_times_price_less_promotions(small: DemoDataset) -> None:
    sales = small.sales.join(small.products.select("sku", "unit_price"), on="sku").with_columns(
        full=pl.col("quantity") * pl.col("unit_price").cast(pl.Float64),
        paid=pl.col("revenue").cast(pl.Float64),
    )
    # Within a cent of quantity x price, less a promotion discount of at most 30%.
    assert (sales["paid"] <= sales["full"] + 0.01).all()
    assert (sales["paid"] >= 0.7 * sales["full"] - 0.01).all()
    discounted = _number((sales["paid"] < 0.95 * sales["full"] - 0.01).mean())
    assert 0.005 < discounted < 0.15


def test_products_sold_only_in_their_life(medium: DemoDataset) -> None:
    sales = medium.sales.join(medium.products.select("sku", "launch_date", "discontinued_date"), on="sku")
    assert (sales["date"] >= sales["launch_date"]).all()
    assert sales.filter(pl.col("date") >= pl.col("discontinued_date")).height == 0
    products = medium.products
    assert (products["is_active"] == products["discontinued_date"].is_null()).all()
    discontinued = products.filter(~pl.col("is_active"))["sku"]
    assert discontinued.len() > 0
    assert sales.filter(pl.col("sku").is_in(discontinued.implode())).height > 0  # history, then it stops


def test_new_items_have_a_short_history(medium: DemoDataset) -> None:
    recent = END - dt.timedelta(days=180)
    new = medium.products.filter(pl.col("launch_date") > recent)["sku"]
    assert new.len() >= 0.02 * medium.products.height
    first_sale = medium.sales.filter(pl.col("sku").is_in(new.implode()))["date"].min()
    assert _date(first_sale) > recent


def test_each_product_is_ranged_in_one_to_three_locations(medium: DemoDataset) -> None:
    ranged = medium.profiles.group_by("sku").len()
    assert ranged.height == medium.products.height
    assert ranged["len"].is_between(1, 3).all()
    assert ranged["len"].n_unique() == 3
    sold = medium.sales.select(KEY).unique()
    assert sold.join(medium.profiles, on=KEY, how="anti").height == 0
    assert medium.stock.select(KEY).sort(KEY).equals(medium.profiles.select(KEY).sort(KEY))


def test_the_warehouse_sells_little_directly(medium: DemoDataset) -> None:
    by_location = medium.sales.group_by("location_code").agg(pl.col("quantity").sum())
    warehouse = by_location.filter(pl.col("location_code") == "DC-01")["quantity"].sum()
    assert _number(warehouse) < 0.1 * _number(by_location["quantity"].sum())


def test_stock_is_a_few_weeks_of_demand(medium: DemoDataset) -> None:
    stock = medium.stock.join(medium.profiles, on=KEY)
    assert (stock["on_hand"] >= 0).all()
    assert (stock["allocated"] >= 0).all()
    assert (stock["allocated"] <= stock["on_hand"]).all()
    assert 0.02 < _number((stock["on_hand"] == 0).mean()) < 0.25
    stores = stock.filter((pl.col("location_code") != "DC-01") & (pl.col("mean_daily") > 1))
    weeks = stores["on_hand"] / stores["mean_daily"] / 7
    assert 1 < _number(weeks.median()) < 6
    assert (weeks > 12).sum() > 0  # some overstock


def test_generated_demand_classes_match_the_intended_ones(medium: DemoDataset) -> None:
    measured = _syntetos_boylan(_series_stats(medium.sales).filter(pl.col("selling_days") >= 2))
    checked = medium.profiles.join(measured, on=KEY)
    assert checked.height >= 0.95 * medium.profiles.height
    agreement = _number((checked["measured"] == checked["demand_class"]).mean())
    assert agreement >= 0.9


def test_demand_class_mix_is_believable(medium: DemoDataset) -> None:
    shares = dict(medium.profiles["demand_class"].value_counts(normalize=True).iter_rows())
    intended = {"smooth": 0.45, "erratic": 0.20, "intermittent": 0.25, "lumpy": 0.10}
    for demand_class, share in intended.items():
        assert abs(shares[demand_class] - share) < 0.08, demand_class


def test_stores_sell_more_at_weekends(medium: DemoDataset) -> None:
    daily = (
        medium.sales.filter(pl.col("location_code") != "DC-01")
        .group_by("date")
        .agg(pl.col("quantity").sum())
        .with_columns(weekend=pl.col("date").dt.weekday() >= 6)
        .group_by("weekend")
        .agg(pl.col("quantity").mean())
    )
    per_day = dict(daily.iter_rows())
    assert per_day[True] > 1.15 * per_day[False]


@pytest.mark.parametrize(
    ("category", "high_months", "low_months"),
    [("Garden", [3, 4, 5], [9, 10, 11]), ("Heating & Climate", [12, 1, 2], [6, 7, 8])],
)
def test_yearly_seasonality_follows_the_category(
    medium: DemoDataset, category: str, high_months: list[int], low_months: list[int]
) -> None:
    sales = medium.sales.join(medium.products.select("sku", "category"), on="sku").filter(
        pl.col("category") == category
    )
    month = pl.col("date").dt.month()
    high = _number(sales.filter(month.is_in(high_months))["quantity"].sum())
    low = _number(sales.filter(month.is_in(low_months))["quantity"].sum())
    assert high > 1.5 * low


def test_some_busy_items_have_stockout_gaps(medium: DemoDataset) -> None:
    smooth = medium.profiles.filter(
        (pl.col("demand_class") == "smooth") & (pl.col("location_code") != "DC-01")
    )
    gaps = (
        medium.sales.join(smooth, on=KEY, how="semi")
        .sort([*KEY, "date"])
        .group_by(KEY)
        .agg(longest_gap=pl.col("date").diff().dt.total_days().max())
    )
    # Random quiet spells of a week are near impossible at a 90%+ daily chance of a sale.
    with_gap = _number((gaps["longest_gap"] >= 8).mean())
    assert 0.03 < with_gap < 0.3


def test_history_length_follows_years() -> None:
    one_year = generate_demo_dataset(seed=1, scale=0.05, end_date=END, years=1.0)
    assert _date(one_year.sales["date"].min()) >= END - dt.timedelta(days=364)
    assert _date(one_year.sales["date"].max()) <= END


def test_full_scale_generation_time() -> None:
    started = time.perf_counter()
    full = generate_demo_dataset(seed=42, scale=1.0, end_date=END)
    elapsed = time.perf_counter() - started
    rows = full.sales.height
    print(f"\ndemo dataset at scale 1: {full.products.height} products, {rows} sales rows, {elapsed:.2f} s")
    assert full.products.height == 2000
    assert full.suppliers.height == 30
