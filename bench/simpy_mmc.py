"""M/M/c in SimPy 2.3 (classic API) — the peer of bench/sim.ts.

Usage: /usr/bin/python3 bench/simpy_mmc.py CUSTOMERS SERVERS RHO SEED
Prints one JSON line: customers served, model events (arrivals + departures, the unit bench/sim.ts
counts), wall seconds, and the mean wait (a sanity check against Erlang C).
"""
import json
import random
import sys
import time

from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate


class Stats:
    served = 0
    wait_sum = 0.0


class Customer(Process):
    def visit(self, server, service_mean, rng):
        arrived = now()
        yield request, self, server
        Stats.wait_sum += now() - arrived
        yield hold, self, rng.expovariate(1.0 / service_mean)
        yield release, self, server
        Stats.served += 1


class Source(Process):
    def generate(self, customers, rate, server, service_mean, rng):
        for _ in range(customers):
            customer = Customer()
            activate(customer, customer.visit(server, service_mean, rng))
            yield hold, self, rng.expovariate(rate)


def main():
    customers = int(sys.argv[1])
    servers = int(sys.argv[2])
    rho = float(sys.argv[3])
    rng = random.Random(int(sys.argv[4]))
    service_mean = 1.0
    rate = rho * servers / service_mean
    initialize()
    server = Resource(capacity=servers)
    source = Source()
    activate(source, source.generate(customers, rate, server, service_mean, rng))
    started = time.perf_counter()
    simulate(until=1e18)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "customers": Stats.served,
        "events": 2 * Stats.served,
        "seconds": seconds,
        "meanWait": Stats.wait_sum / max(1, Stats.served),
    }))


if __name__ == "__main__":
    main()
