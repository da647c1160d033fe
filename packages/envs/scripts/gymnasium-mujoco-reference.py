"""Prints the reference trajectories of src/mujoco/test-utils/gymnasiumMujocoReference.ts, computed by Gymnasium itself.

Usage: pip install gymnasium mujoco && python3 scripts/gymnasium-mujoco-reference.py > reference.json

For each MuJoCo v5 env (Gymnasium's own assets, native MuJoCo): reset(seed=0), then set_state to a state written by
hand (init_qpos + 0.02·sin(1.3·(i + 1)), init_qvel + 0.1·cos(0.7·(i + 1))), then open-loop actions that JavaScript
computes exactly alike, a_t[j] = scale · high_j · (((7919·t + 104729·j) mod 2401) − 1200) / 1000 (with scale 1, up
to 1.2 × the bound, so MuJoCo's control clamping and the unclipped control cost are exercised), until the episode terminates or after
`steps` steps. It records the first observation, every 5th observation (steps 4, 9, …) and the last, every reward,
the info of every step, and the step that terminated (or null).
"""
import json

import gymnasium
import mujoco
import numpy as np

# steps at most, and the scale of the actions (the pendulums get small pushes, so that they stay up a while)
ENVS = {
    "InvertedPendulum-v5": (60, 0.05),
    "InvertedDoublePendulum-v5": (60, 0.05),
    "Reacher-v5": (50, 1),
    "HalfCheetah-v5": (60, 1),
    "Hopper-v5": (60, 1),
    "Walker2d-v5": (60, 1),
    "Ant-v5": (40, 1),
}


def action(t, high, scale):
    return np.array([scale * h * (((7919 * t + 104729 * j) % 2401) - 1200) / 1000 for j, h in enumerate(high)])


def trajectory(env_id, steps, scale):
    env = gymnasium.make(env_id).unwrapped
    env.reset(seed=0)
    i = np.arange(env.model.nq)
    qpos = env.init_qpos + 0.02 * np.sin(1.3 * (i + 1))
    j = np.arange(env.model.nv)
    qvel = env.init_qvel + 0.1 * np.cos(0.7 * (j + 1))
    env.set_state(qpos, qvel)
    high = env.action_space.high.astype(np.float64)
    record = {
        "qpos": qpos.tolist(),
        "qvel": qvel.tolist(),
        "firstObservation": env._get_obs().tolist(),
        "observations": {},
        "rewards": [],
        "infos": [],
        "terminatedStep": None,
    }
    for t in range(steps):
        observation, reward, terminated, _, info = env.step(action(t, high, scale))
        record["rewards"].append(float(reward))
        record["infos"].append({key: float(value) for key, value in info.items()})
        last = terminated or t == steps - 1
        if t % 5 == 4 or last:
            record["observations"][str(t)] = observation.tolist()
        if terminated:
            record["terminatedStep"] = t
            break
    env.close()
    return record


print(json.dumps({
    "gymnasium": gymnasium.__version__,
    "mujoco": mujoco.__version__,
    "numpy": np.__version__,
    "envs": {env_id: {"scale": scale, **trajectory(env_id, steps, scale)} for env_id, (steps, scale) in ENVS.items()},
}))
