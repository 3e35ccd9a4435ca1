"""Baseline for bench:score: the same job in pandas + scikit-learn.

Reads the CSV, computes the handbook's features (customer spending windows over 1,
7 and 30 days, terminal volume windows, hour/weekend/night), scores with an
IsolationForest (100 trees, 256 samples, fitted on the first 50,000 rows), writes the
file back with a score column. Prints one JSON line: rows, seconds, peak RSS in MB,
CPU seconds (user + system, all threads) of the job.
Uses vectorised groupby-rolling (not the handbook's slower per-customer apply), so the
comparison is against reasonable pandas code.

usage: python3 baseline-sklearn.py INPUT.csv OUTPUT.csv
"""
import json
import resource
import sys
import time

import pandas as pd
from sklearn.ensemble import IsolationForest

started = time.time()
usage0 = resource.getrusage(resource.RUSAGE_SELF)
src, dst = sys.argv[1], sys.argv[2]
df = pd.read_csv(src)
df["TX_DATETIME"] = pd.to_datetime(df["TX_DATETIME"])
df["hour"] = df["TX_DATETIME"].dt.hour
df["is_weekend"] = (df["TX_DATETIME"].dt.weekday >= 5).astype(int)
df["is_night"] = (df["hour"] < 6).astype(int)
features = ["TX_AMOUNT", "hour", "is_weekend", "is_night"]


def windows(frame, key, with_amount):
    # Sorted by key then time, groupby-rolling returns rows in the same order.
    frame = frame.sort_values([key, "TX_DATETIME"], kind="stable")
    out = pd.DataFrame(index=frame.index)
    for days in (1, 7, 30):
        rolling = frame.groupby(key).rolling(f"{days}D", on="TX_DATETIME")["TX_AMOUNT"]
        count = rolling.count().values
        out[f"{key}_count_{days}"] = count
        if with_amount:
            out[f"{key}_avg_{days}"] = rolling.sum().values / count
    return out


for key, with_amount in (("CUSTOMER_ID", True), ("TERMINAL_ID", False)):
    extra = windows(df[[key, "TX_DATETIME", "TX_AMOUNT"]], key, with_amount)
    df = df.join(extra)
    features += list(extra.columns)

X = df[features].to_numpy(dtype="float32")
forest = IsolationForest(n_estimators=100, max_samples=256, random_state=1).fit(X[:50_000])
df["score"] = -forest.score_samples(X)
df.to_csv(dst, index=False)
elapsed = time.time() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
peak_mb = usage.ru_maxrss / 1024
cpu = usage.ru_utime + usage.ru_stime - usage0.ru_utime - usage0.ru_stime
print(json.dumps({"rows": len(df), "seconds": round(elapsed, 2), "peakRssMb": round(peak_mb, 1), "cpuSeconds": round(cpu, 2)}))
