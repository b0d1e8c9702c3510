/* The program bench/spawn.c starts: exits at once. */
int main(void)
{
	return 0;
}
