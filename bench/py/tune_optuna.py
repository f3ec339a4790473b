# The Optuna side of the tuner bench (bench/tune.ts): Optuna 3.1's TPESampler (defaults, and multivariate) and
# RandomSampler on the same synthetic objectives, spaces and budgets as nnlab's samplers, minimised. The
# objectives are written here exactly as in bench/tune.ts (same formulas, same constants, same spaces; the
# mixed space's momentum is asked for only when the optimizer is sgd, Optuna's define-by-run way of nnlab's
# `when`). Per study it records the best value so far after every trial and the wall time of every trial
# (from one trial's end to the next's: sampling, storage and the objective, which costs microseconds), so
# Optuna's per-trial overhead is study.optimize's time divided by its trials (the timing studies run a few
# rounds, each trial's time and the total taken at their best round). Prints one JSON line.
import json, math, sys, time, warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings('ignore', category=optuna.exceptions.ExperimentalWarning)


def args():
    return json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}


# ---- the objectives (as bench/tune.ts writes them) ----------------------------------------------------------

def branin(trial):
    x1 = trial.suggest_float('x1', -5.0, 10.0)
    x2 = trial.suggest_float('x2', 0.0, 15.0)
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


H_ALPHA = [1.0, 1.2, 3.0, 3.2]
H_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
H_P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]


def hartmann6(trial):
    x = [trial.suggest_float(f'x{j + 1}', 0.0, 1.0) for j in range(6)]
    total = 0.0
    for i in range(4):
        inner = 0.0
        for j in range(6):
            inner += H_A[i][j] * (x[j] - H_P[i][j]) ** 2
        total += H_ALPHA[i] * math.exp(-inner)
    return -total


# optimizer -> (target log10 of the effective learning rate, offset); sgd's effective lr is lr / (1 - momentum).
MIXED_OPT = {'sgd': (-1.0, 0.0), 'adam': (-3.0, 0.05), 'rmsprop': (-3.5, 0.1), 'adagrad': (-1.5, 0.2)}


def mixed(trial):
    lr = trial.suggest_float('lr', 1e-5, 1e-1, log=True)
    units = trial.suggest_int('units', 16, 512, step=16)
    opt = trial.suggest_categorical('optimizer', ['sgd', 'adam', 'rmsprop', 'adagrad'])
    momentum = trial.suggest_float('momentum', 0.0, 0.99) if opt == 'sgd' else None
    dropout = trial.suggest_float('dropout', 0.0, 0.5)
    target, offset = MIXED_OPT[opt]
    eff = lr / (1 - momentum) if momentum is not None else lr
    f = 0.5 * (math.log10(eff) - target) ** 2 + offset + 0.1 * math.log2(units / 256) ** 2 + (dropout - 0.2) ** 2
    if momentum is not None:
        f += 2 * (momentum - 0.9) ** 2
    return f


OBJECTIVES = {'branin': branin, 'hartmann6': hartmann6, 'mixed': mixed}


def sampler(name, seed):
    if name == 'tpe':
        return optuna.samplers.TPESampler(seed=seed)
    if name == 'tpe-mv':
        # group=True: joint estimators per group of parameters that occur together, as nnlab's multivariate;
        # on a space without conditionals it is plain multivariate=True.
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True, warn_independent_sampling=False)
    if name == 'random':
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(name)


def study(objective, name, seed, trials):
    s = optuna.create_study(direction='minimize', sampler=sampler(name, seed))
    ends = []
    t0 = time.perf_counter()
    s.optimize(OBJECTIVES[objective], n_trials=trials, callbacks=[lambda st, t: ends.append(time.perf_counter())])
    total = time.perf_counter() - t0
    times = [b - a for a, b in zip([t0] + ends[:-1], ends)]
    best, so_far = [], math.inf
    for t in s.trials:
        so_far = min(so_far, t.value)
        best.append(so_far)
    return {'best': best, 'trialTimesS': times, 'totalS': total}


def main():
    a = args()
    out = {'optuna': optuna.__version__, 'quality': {}, 'timing': {}}
    for objective in a['objectives']:
        out['quality'][objective] = {name: {str(seed): study(objective, name, seed, a['trials']) for seed in a['seeds']} for name in a['samplers']}
    for name in a['samplers']:
        # The same seeded study several times: each trial's time and the total are their best round's.
        rounds = [study(a['timingObjective'], name, a['timingSeed'], a['timingTrials']) for _ in range(a.get('timingRounds', 1))]
        out['timing'][name] = {
            'best': rounds[0]['best'],
            'trialTimesS': [min(ts) for ts in zip(*(r['trialTimesS'] for r in rounds))],
            'totalS': min(r['totalS'] for r in rounds),
        }
    print(json.dumps(out))


main()
