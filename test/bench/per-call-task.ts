// One Piscina task per call: the slow way the engine avoids.
export default function noopTask(): null {
  return null;
}
