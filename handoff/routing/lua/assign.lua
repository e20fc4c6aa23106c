-- Give waiting conversations to online agents, in queue order (priority, then the
-- longest wait). Eligible: capacity left, speaks the language, has the skill; a
-- relationship manager who is online takes their own customers (sticky). Among the
-- eligible: the fewest active chats, then the longest since their last assignment.
-- One open offer at a time: an agent offered a conversation they have not accepted yet
-- gets no other until they accept it (or it is withdrawn); the conversations they have room
-- for wait for them meanwhile.
-- Skill overflow: a conversation waiting at least the overflow time (ms; 0 or absent: never)
-- that no agent with the skill has room for goes to one who speaks the language, marked
-- `overflowed`.
-- Supervisors (role `supervisor`) take customers only when no agent has room for them by
-- these rules (skill, then skill overflow); among supervisors the same rules apply.
-- ARGV: prefix, now (ms), overflow (ms). Returns a flat list: conversation, agent, wait (ms),
-- overflowed (1 or 0), ...
local prefix, now, overflow = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]) or 0
local online = redis.call('SMEMBERS', prefix .. 'agents:online')
table.sort(online)
-- True when one of the agent's conversations is offered to them and not yet accepted.
local function has_open_offer(aid)
  for _, cid in ipairs(redis.call('SMEMBERS', prefix .. 'agent:' .. aid .. ':chats')) do
    local c = redis.call('HMGET', prefix .. 'conv:' .. cid, 'status', 'agent')
    if c[1] == 'assigned' and c[2] == aid then return true end
  end
  return false
end
-- `free`: the agents who may be offered one now (one each at most in a pass).
local agents, free = {}, 0
for _, aid in ipairs(online) do
  local f = redis.call('HMGET', prefix .. 'agent:' .. aid,
                       'languages', 'skills', 'max_chats', 'active', 'idle_since', 'role')
  local agent = {id = aid, languages = {}, skills = {}, max = tonumber(f[3]) or 0,
                 active = tonumber(f[4]) or 0, idle = tonumber(f[5]) or 0,
                 supervisor = f[6] == 'supervisor'}
  for language in string.gmatch(f[1] or '', '[^,]+') do agent.languages[language] = true end
  for skill in string.gmatch(f[2] or '', '[^,]+') do agent.skills[skill] = true end
  agent.room = agent.active < agent.max
  agent.offerable = agent.room and not has_open_offer(aid)
  agents[aid] = agent
  if agent.offerable then free = free + 1 end
end
-- Among the agents (or the supervisors) with room who speak the language and have the
-- skill (any skill when `skill` is nil): the one with the fewest chats, then idle longest,
-- who has no open offer (nil when all have one); and whether any has room.
local function least_busy(language, skill, supervisor)
  local best, room = nil, false
  for _, aid in ipairs(online) do
    local a = agents[aid]
    if a.room and a.supervisor == supervisor and a.languages[language]
       and (skill == nil or a.skills[skill]) then
      room = true
      if a.offerable and (best == nil or a.active < best.active
                          or (a.active == best.active and a.idle < best.idle)) then
        best = a
      end
    end
  end
  return best, room
end
-- Agents first, supervisors only when no agent has room: within each, the skill, then (past
-- the overflow time) the language alone. The agent (nil: it waits) and whether it overflowed.
local function choose(language, skill, may_overflow)
  for _, supervisor in ipairs({false, true}) do
    local best, room = least_busy(language, skill, supervisor)
    if room then return best, false end
    if may_overflow then
      best, room = least_busy(language, nil, supervisor)
      if room then return best, best ~= nil end
    end
  end
  return nil, false
end
local assigned = {}
if free == 0 then return assigned end
local queue = prefix .. 'queue'
for _, cid in ipairs(redis.call('ZRANGE', queue, 0, -1)) do
  local conv = prefix .. 'conv:' .. cid
  local c = redis.call('HMGET', conv, 'language', 'skill', 'rm', 'enqueued_at')
  local best, overflowed = nil, false
  local manager = agents[c[3] or '']
  if manager then
    if manager.offerable then best = manager end
  else
    local may_overflow = overflow > 0 and now - (tonumber(c[4]) or now) >= overflow
    best, overflowed = choose(c[1], c[2], may_overflow)
  end
  if best then
    redis.call('ZREM', queue, cid)
    redis.call('HSET', conv, 'status', 'assigned', 'agent', best.id, 'assigned_at', now)
    if overflowed then
      redis.call('HSET', conv, 'overflowed', '1', 'overflowed_at', now)
    else
      redis.call('HDEL', conv, 'overflowed', 'overflowed_at')
    end
    redis.call('SADD', prefix .. 'agent:' .. best.id .. ':chats', cid)
    best.active = best.active + 1
    best.idle = now
    best.room = best.active < best.max
    -- Offered one: no other until they accept it.
    best.offerable = false
    redis.call('HSET', prefix .. 'agent:' .. best.id, 'active', best.active, 'idle_since', now)
    assigned[#assigned + 1] = cid
    assigned[#assigned + 1] = best.id
    assigned[#assigned + 1] = now - (tonumber(c[4]) or now)
    assigned[#assigned + 1] = overflowed and 1 or 0
    free = free - 1
    if free == 0 then break end
  end
end
return assigned
