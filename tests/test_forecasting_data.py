"""Tests of lstm_utils.forecasting.data: the series, windows and the chronological split."""

import numpy as np
import pandas as pd
import pytest
import torch

from lstm_utils.data.cache import DatasetUnavailable
from lstm_utils.forecasting.data import (
    JENA_COLUMNS, JENA_CSV, Normalizer, WindowSpec, chronological_split, fill_gaps, load_co2, load_jena,
    make_windows, noisy_sine, read_jena, window_split,
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


def ramp(n: int, features: int = 1) -> np.ndarray:
    """Value = time index (plus 1000 × feature), so every value says when it was measured."""
    return np.arange(n)[:, None] + 1000.0 * np.arange(features)[None, :]


@pytest.mark.parametrize("input_width,label_width,shift", [(5, 1, 1), (6, 3, 3), (4, 2, 5), (3, 4, 4)])
def test_window_shapes(input_width, label_width, shift):
    spec = WindowSpec(input_width, label_width, shift)
    inputs, labels = make_windows(ramp(30, features=3), spec, target_index=1)
    count = 30 - input_width - shift + 1
    assert inputs.shape == (count, input_width, 3)
    assert labels.shape == (count, label_width)


def test_labels_are_the_steps_after_the_shift():
    spec = WindowSpec(input_width=4, label_width=2, shift=3)
    inputs, labels = make_windows(ramp(20), spec)
    # window 0 reads steps 0..3 (origin 3); labels are origin + 2, origin + 3
    assert inputs[0, :, 0].tolist() == [0, 1, 2, 3]
    assert labels[0].tolist() == [5, 6]
    assert spec.label_offsets.tolist() == [2, 3]


@pytest.mark.parametrize("input_width,label_width,shift", [(5, 1, 1), (6, 3, 3), (4, 2, 5), (3, 4, 4)])
def test_no_future_value_leaks_into_an_input_window(input_width, label_width, shift):
    inputs, labels = make_windows(ramp(40, features=2), WindowSpec(input_width, label_width, shift))
    latest_input = inputs[:, :, 0].max(dim=1).values  # the time of the newest value each window reads
    assert bool((labels.min(dim=1).values > latest_input).all())
    # and no feature column carries a later time either
    assert bool((inputs[:, :, 1] - 1000 <= latest_input[:, None]).all())


def test_split_is_chronological_and_windows_stay_inside_their_part():
    values = ramp(100)
    train, val, test = chronological_split(values, (0.7, 0.2, 0.1))
    assert (len(train), len(val), len(test)) == (70, 20, 10)
    assert train[-1, 0] < val[0, 0] and val[-1, 0] < test[0, 0]
    split = window_split(values, WindowSpec(3, 2, 2))
    to_time = lambda t: split.normalizer.inverse(t.numpy(), column=0)  # noqa: E731
    assert to_time(split.train[1]).max() < 70 - 0.5  # train labels never reach into validation
    assert to_time(split.val[0]).min() > 70 - 0.5 and to_time(split.val[1]).max() < 90 - 0.5
    assert to_time(split.test[0]).min() > 90 - 0.5


def test_normalisation_statistics_come_from_the_training_part_only():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(0, 1, 70), rng.normal(50, 10, 30)])[:, None]
    split = window_split(values, WindowSpec(3, 1, 1))
    np.testing.assert_allclose(split.normalizer.mean, values[:70].mean(axis=0))
    np.testing.assert_allclose(split.normalizer.std, values[:70].std(axis=0))
    assert abs(split.parts[0].mean()) < 1e-5  # the train part is centred, the others are not
    assert split.parts[2].mean() > 10
    changed = values.copy()
    changed[70:] += 1e6  # changing validation and test must not change the statistics
    np.testing.assert_allclose(window_split(changed, WindowSpec(3, 1, 1)).normalizer.mean, split.normalizer.mean)


def test_normalizer_round_trip_and_target_std():
    values = ramp(50, features=2)
    split = window_split(values, WindowSpec(4, 1, 1), target_index=1)
    norm = Normalizer.fit(values[:35])
    np.testing.assert_allclose(norm.inverse(norm.transform(values)), values, atol=1e-3)
    assert split.target_std == pytest.approx(values[:35, 1].std())
    # the test part is steps 45..49: one window, whose label is step 49 of feature 1 (value 1049)
    np.testing.assert_allclose(split.to_units(split.test[1]), [[1049.0]], atol=1e-3)


def test_series_shorter_than_one_window_is_refused():
    with pytest.raises(ValueError, match=r"at least 8 steps .* got 7"):
        make_windows(ramp(7), WindowSpec(5, 3, 3))
    with pytest.raises(ValueError, match="test part"):
        window_split(ramp(60), WindowSpec(5, 3, 3))  # test part has 6 steps


def test_nans_left_in_are_refused():
    values = ramp(30)
    values[12] = np.nan
    with pytest.raises(ValueError, match=r"without NaN.*first at step 12.*fill the gaps"):
        make_windows(values, WindowSpec(3, 1, 1))
    with pytest.raises(ValueError, match="NaN"):
        window_split(values, WindowSpec(3, 1, 1))


def test_bad_specs_and_arguments():
    with pytest.raises(ValueError, match="input_width, label_width, shift >= 1"):
        WindowSpec(0, 1, 1)
    with pytest.raises(ValueError, match="label_width <= input_width \\+ shift"):
        WindowSpec(2, 5, 1)
    with pytest.raises(ValueError, match="target_index in \\[0, 2\\)"):
        make_windows(ramp(10, features=2), WindowSpec(2, 1, 1), target_index=2)
    with pytest.raises(ValueError, match="three positive fractions"):
        chronological_split(ramp(10), (0.5, 0.5))
    with pytest.raises(ValueError, match=r"shape \(time,\) or \(time, features\)"):
        make_windows(np.zeros((3, 3, 3)), WindowSpec(1, 1, 1))
    assert isinstance(make_windows(ramp(5)[:, 0], WindowSpec(2, 1, 1))[0], torch.Tensor)  # 1-D is fine


@pytest.mark.parametrize("widths", [(2.5, 1, 1), (2.0, 1, 1), (3, "1", 1), (3, 1, True)])
def test_window_widths_that_are_not_ints_are_named(widths):
    with pytest.raises(TypeError, match=r"expected input_width, label_width, shift as ints, got \w+="):
        WindowSpec(*widths)
    assert WindowSpec(np.int64(3), np.int64(1), 1) == WindowSpec(3, 1, 1)  # any integer type is fine


def test_normalizer_refuses_an_empty_part_and_other_feature_counts():
    with pytest.raises(ValueError, match=r"expected a training part of at least one step .* got shape \(0, 1\)"):
        Normalizer.fit([])
    normalizer = Normalizer.fit(ramp(10, features=2))
    with pytest.raises(ValueError, match=r"expected values of shape \(time, 2\) \(the features fitted\), got \(4, 1\)"):
        normalizer.transform(ramp(4))
    with pytest.raises(ValueError, match=r"expected column in \[0, 2\) \(an int\), got 2"):
        normalizer.inverse(np.zeros(3), column=2)


def test_series_that_are_not_numbers_empty_or_with_a_float_target_index_are_named():
    with pytest.raises(TypeError, match=r"expected values as numbers \(time,\) or \(time, features\), got list"):
        make_windows(["a", "b", "c"], WindowSpec(1, 1, 1))
    with pytest.raises(ValueError, match=r"expected target_index in \[0, 2\) \(an int\), got 0.5"):
        make_windows(ramp(10, features=2), WindowSpec(2, 1, 1), target_index=0.5)
    with pytest.raises(ValueError, match=r"co2: expected a series of at least one value, got an empty one"):
        fill_gaps(pd.Series([], dtype=float, name="co2"))
    with pytest.raises(TypeError, match=r"expected an int length, got float 10.5"):
        noisy_sine(length=10.5)


def test_jena_reader_names_an_empty_file_bad_times_and_text_readings(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match=r"empty.csv: expected a header \['Date Time', .* got an empty file"):
        read_jena(empty)
    header_only = write_jena(tmp_path / "header.csv", hours=0)
    with pytest.raises(ValueError, match=r"header.csv: expected at least one row of readings, got only the header"):
        read_jena(header_only)
    path = write_jena(tmp_path / JENA_CSV, hours=2)
    text = path.read_text()
    (tmp_path / "times.csv").write_text(text.replace("01.01.2009 00:10:00", "2009-01-01T00:10"))
    with pytest.raises(ValueError, match=r"times.csv: expected times like 01.01.2009 00:10:00 in 'Date Time'"):
        read_jena(tmp_path / "times.csv")
    (tmp_path / "text.csv").write_text(text.replace("996.50", "1e3 mbar", 2))
    with pytest.raises(ValueError, match=r"text.csv: expected numbers in \['p \(mbar\)'\], got text such as '1e3 mbar'"):
        read_jena(tmp_path / "text.csv")
