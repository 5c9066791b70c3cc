import numpy as np
import pandas as pd
import pytest

from lstm_utils.data.cache import DatasetUnavailable
from lstm_utils.forecasting.data import (
    JENA_COLUMNS,
    JENA_CSV,
    fill_gaps,
    load_co2,
    load_jena,
    noisy_sine,
    read_jena,
)

HEADER = (
    '"Date Time","p (mbar)","T (degC)","Tpot (K)","Tdew (degC)","rh (%)","VPmax (mbar)","VPact (mbar)",'
    '"VPdef (mbar)","sh (g/kg)","H2OC (mmol/mol)","rho (g/m**3)","wv (m/s)","max. wv (m/s)","wd (deg)"'
)


def write_jena(path, hours: int = 5, header: str = HEADER, drop=()):
    """A small CSV in the real file's format: readings every 10 minutes from 01.01.2009 00:10:00."""
    lines = [header]
    stamps = pd.date_range("2009-01-01 00:10", periods=6 * hours, freq="10min")
    for k, stamp in enumerate(stamps):
        if k in drop:
            continue
        temperature = -8.0 + 0.1 * k
        wind = -9999.0 if k == 5 else 1.0
        values = [996.5, temperature, 265.4, -8.9, 93.3, 3.33, 3.11, 0.22, 1.94, 3.12, 1307.75, wind, 1.75, 152.3]
        lines.append(stamp.strftime("%d.%m.%Y %H:%M:%S") + "," + ",".join(f"{v:.2f}" for v in values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jena_reader_resamples_hourly_on_the_hour(tmp_path):
    ts = read_jena(write_jena(tmp_path / JENA_CSV, hours=5))
    assert list(ts.frame.columns) == list(JENA_COLUMNS)
    assert len(ts.frame) == 5  # 01:00 … 05:00
    assert ts.frame.index[0] == pd.Timestamp("2009-01-01 01:00")
    assert (np.diff(ts.frame.index.values) == np.timedelta64(1, "h")).all()
    # the reading made on the hour is kept: 01:00 is reading k=5, T = -8.0 + 0.5
    np.testing.assert_allclose(ts.frame["T (degC)"].to_numpy(), [-7.5, -6.9, -6.3, -5.7, -5.1], atol=1e-5)
    assert ts.frame["wv (m/s)"].iloc[0] == 0.0  # -9999 (sensor failure) became 0 m/s
    assert (ts.target, ts.unit, ts.period, ts.step) == ("T (degC)", "°C", 24, "hour")
    assert ts.values.shape == (5, 14) and ts.target_index == 1


def test_jena_reader_fills_a_missing_hour_by_interpolation(tmp_path):
    ts = read_jena(write_jena(tmp_path / JENA_CSV, hours=4, drop=range(6, 12)), columns=("T (degC)",))
    assert len(ts.frame) == 4 and not ts.frame.isna().any().any()
    np.testing.assert_allclose(ts.frame["T (degC)"].iloc[1], (-7.5 + -6.3) / 2, atol=1e-5)


def test_jena_reader_wrong_columns_get_a_clear_error(tmp_path):
    bad = write_jena(tmp_path / "bad.csv", header=HEADER.replace('"T (degC)"', '"Temp"'))
    with pytest.raises(ValueError, match=r"missing \['T \(degC\)'\]"):
        read_jena(bad)
    with pytest.raises(ValueError, match="expected the target 'T \\(degC\\)' among the columns"):
        read_jena(write_jena(tmp_path / JENA_CSV), columns=("p (mbar)",))


def test_load_jena_offline_without_a_copy_says_so():
    with pytest.raises(DatasetUnavailable, match="offline"):
        load_jena()
    with pytest.raises(DatasetUnavailable, match="no local copy"):
        load_jena(download_ok=False)


def test_load_jena_reads_a_local_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_UTILS_DATA", str(tmp_path))
    (tmp_path / "jena").mkdir()
    write_jena(tmp_path / "jena" / JENA_CSV, hours=3)
    assert len(load_jena(columns=("T (degC)",)).frame) == 3


def test_co2_is_weekly_gap_free_and_records_what_was_filled():
    ts = load_co2()
    assert len(ts.frame) == 2284
    assert ts.frame.index[0] == pd.Timestamp("1958-03-29") and ts.frame.index[-1] == pd.Timestamp("2001-12-29")
    assert not ts.frame.isna().any().any()
    assert ts.frame.attrs["filled"] == 59
    assert (ts.target, ts.unit, ts.period) == ("CO2 (ppm)", "ppm", 52)
    assert 310 < ts.frame.iloc[:, 0].min() and ts.frame.iloc[:, 0].max() < 380


def test_fill_gaps_interpolates_in_time_and_refuses_gaps_at_the_ends():
    index = pd.to_datetime(["2000-01-01", "2000-01-02", "2000-01-04", "2000-01-05"])
    filled, count = fill_gaps(pd.Series([0.0, np.nan, np.nan, 4.0], index=index))
    assert count == 2
    np.testing.assert_allclose(filled.to_numpy(), [0, 1, 3, 4])  # weighted by time, not by position
    with pytest.raises(ValueError, match="start or end"):
        fill_gaps(pd.Series([np.nan, 1.0], index=index[:2]))


def test_noisy_sine_is_seeded():
    a, b = noisy_sine(seed=3), noisy_sine(seed=3)
    np.testing.assert_array_equal(a.values, b.values)
    assert not np.array_equal(a.values, noisy_sine(seed=4).values)
    with pytest.raises(ValueError, match="period >= 2"):
        noisy_sine(period=1)
