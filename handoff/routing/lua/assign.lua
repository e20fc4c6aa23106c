-- Give waiting conversations to online agents, in queue order (priority, then the
-- longest wait). Eligible: capacity left, speaks the language, has the skill; a
-- relationship manager who is online takes their own customers (sticky). Among the
-- eligible: the fewest active chats, then the longest since their last assignment.
-- Skill overflow: a conversation waiting at least the overflow time (ms; 0 or absent: never)
-- that no agent with the skill can take goes to one who speaks the language, marked
-- `overflowed`.
-- ARGV: prefix, now (ms), overflow (ms). Returns a flat list: conversation, agent, wait (ms),
-- overflowed (1 or 0), ...
local prefix, now, overflow = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]) or 0
local online = redis.call('SMEMBERS', prefix .. 'agents:online')
table.sort(online)
local agents, free = {}, 0
for _, aid in ipairs(online) do
  local f = redis.call('HMGET', prefix .. 'agent:' .. aid,
                       'languages', 'skills', 'max_chats', 'active', 'idle_since')
  local agent = {id = aid, languages = {}, skills = {}, max = tonumber(f[3]) or 0,
                 active = tonumber(f[4]) or 0, idle = tonumber(f[5]) or 0}
  for language in string.gmatch(f[1] or '', '[^,]+') do agent.languages[language] = true end
  for skill in string.gmatch(f[2] or '', '[^,]+') do agent.skills[skill] = true end
  agents[aid] = agent
  if agent.active < agent.max then free = free + agent.max - agent.active end
end
-- The eligible agent with the fewest chats, then idle longest; any skill when `skill` is nil.
local function least_busy(language, skill)
  local best = nil
  for _, aid in ipairs(online) do
    local a = agents[aid]
    if a.active < a.max and a.languages[language] and (skill == nil or a.skills[skill]) then
      if best == nil or a.active < best.active
         or (a.active == best.active and a.idle < best.idle) then
        best = a
      end
    end
  end
  return best
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
    if manager.active < manager.max then best = manager end
  else
    best = least_busy(c[1], c[2])
    if best == nil and overflow > 0 and now - (tonumber(c[4]) or now) >= overflow then
      best = least_busy(c[1], nil)
      overflowed = best ~= nil
    end
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
